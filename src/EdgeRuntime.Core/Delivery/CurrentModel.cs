namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// Where one model stands on the device, as observed before planning: what serves, what the store holds and remembers,
/// what lies half-downloaded, what failed before, and how much room there is.
/// </summary>
public sealed record CurrentModel
{
    /// <summary>The version answering requests now (0: the built-in one), or null when none does.</summary>
    public long? Serving { get; init; }

    /// <summary>The version recorded as serving in the store's state (to serve again after a restart), or null.</summary>
    public long? RecordedServing { get; init; }

    /// <summary>The highest version ever put into service; manifests must be newer (anti-rollback).</summary>
    public long HighestVersion { get; init; }

    /// <summary>Manifests up to this version are not followed: a deploy or rollback moved the device away from them.</summary>
    public long HeldThrough { get; init; }

    /// <summary>The version folders in the store.</summary>
    public IReadOnlyList<StoredVersion> Stored { get; init; } = [];

    /// <summary>Whether the device can build a version 0 of this model itself.</summary>
    public bool HasBuiltIn { get; init; }

    /// <summary>Partial downloads of this model on disk.</summary>
    public IReadOnlyList<DownloadOnDisk> Downloads { get; init; } = [];

    /// <summary>Signed documents refused for good (not considered again when the broker re-sends them).</summary>
    public IReadOnlySet<string> RefusedEnvelopes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Retryable failures, by signed document.</summary>
    public IReadOnlyList<PastFailure> Failures { get; init; } = [];

    /// <summary>Disk use and room.</summary>
    public StoreUsage Usage { get; init; } = new(0, long.MaxValue, long.MaxValue);

    /// <summary>The stored version <paramref name="version"/>, or null.</summary>
    public StoredVersion? StoredAt(long version) => Stored.FirstOrDefault(s => s.Version == version);
}
