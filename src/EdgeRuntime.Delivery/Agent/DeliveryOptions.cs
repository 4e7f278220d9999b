namespace EdgeRuntime.Delivery.Agent;

/// <summary>Model delivery on the device (<c>Delivery</c> section). Every default is documented in the README.</summary>
public sealed class DeliveryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Delivery";

    /// <summary>Whether the device takes models from the fleet at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Public-key files (PEM, from <c>edgectl keys create</c>) whose signatures the device accepts. Empty: every
    /// manifest and command is refused with the reason "no trusted keys" (the device still serves what it has).
    /// </summary>
    public List<string> TrustedKeys { get; set; } = [];

    /// <summary>
    /// Model names this device installs; empty (the default) or <c>*</c> for every model the fleet publishes.
    /// (Empty rather than a default entry: configuration binding adds to a list, it does not replace it.)
    /// </summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Versions kept per model besides the serving one, for rollback. Default 3.</summary>
    public int KeepVersions { get; set; } = 3;

    /// <summary>The most the model store may hold, in MiB (models, their plans). Default 2048.</summary>
    public long StoreQuotaMegabytes { get; set; } = 2048;

    /// <summary>Chunks requested at once. Default 8.</summary>
    public int DownloadParallelism { get; set; } = 8;

    /// <summary>Seconds to wait for a requested chunk before asking again. Default 30.</summary>
    public int ChunkTimeoutSeconds { get; set; } = 30;

    /// <summary>Hours after which a partial download nobody wrote to is deleted (it counts toward the quota meanwhile). Default 24.</summary>
    public int AbandonedDownloadHours { get; set; } = 24;

    /// <summary>Seconds before a failure that may heal by itself (a full disk, a web server away, a damaged file) is retried; doubles per failure. Default 30.</summary>
    public int RetryDelaySeconds { get; set; } = 30;

    /// <summary>The longest wait between such retries, seconds. Default 1800.</summary>
    public int MaxRetryDelaySeconds { get; set; } = 1800;

    /// <summary>Whether a manifest's URL may be plain http:// (the chunk hashes still protect integrity). Default false.</summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>Resident memory, in MiB, above which the pre-flight process is killed and the model refused. Default 2048.</summary>
    public int PreflightMemoryMegabytes { get; set; } = 2048;

    /// <summary>Seconds after which the pre-flight process is killed and the model refused. Default 120.</summary>
    public int PreflightTimeoutSeconds { get; set; } = 120;

    /// <summary>Sample inferences the pre-flight runs. Default 2.</summary>
    public int PreflightRuns { get; set; } = 2;

    /// <summary>The settings the planner applies.</summary>
    public Core.Delivery.DeliveryLimits Limits() => new(
        KeepVersions,
        TimeSpan.FromHours(AbandonedDownloadHours),
        TimeSpan.FromSeconds(RetryDelaySeconds),
        TimeSpan.FromSeconds(Math.Max(RetryDelaySeconds, MaxRetryDelaySeconds)));

    /// <summary>Whether <paramref name="model"/> is one this device installs.</summary>
    public bool Follows(string model) => Models.Count == 0 || Models.Contains("*") || Models.Contains(model, StringComparer.Ordinal);
}
