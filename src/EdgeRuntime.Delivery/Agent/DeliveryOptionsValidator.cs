using EdgeRuntime.Core.Models;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>Checks <see cref="DeliveryOptions"/> at start; each failure names the key, the value and what is allowed.</summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = DeliveryOptions.SectionName;
        var failures = new List<string>();
        for (var i = 0; i < options.TrustedKeys.Count; i++)
        {
            var path = options.TrustedKeys[i];
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                failures.Add($"{section}:TrustedKeys:{i}: '{path}' does not exist; allowed: a public-key file written by 'edgectl keys create'");
            }
        }

        if (failures.Count == 0 && options.TrustedKeys.Count > 0)
        {
            try
            {
                Signing.TrustedKeys.Load(options.TrustedKeys).Dispose();
            }
            catch (Signing.SigningKeyException ex)
            {
                failures.Add($"{section}:TrustedKeys: {ex.Message}");
            }
        }

        foreach (var model in options.Models)
        {
            if (model != "*" && !ModelName.IsValid(model))
            {
                failures.Add($"{section}:Models: '{model}' is not a model name; allowed: '*' or {ModelName.AllowedDescription}");
            }
        }

        Range(failures, "KeepVersions", options.KeepVersions, 1, 100);
        Range(failures, "StoreQuotaMegabytes", options.StoreQuotaMegabytes, 1, 1L << 24);
        Range(failures, "DownloadParallelism", options.DownloadParallelism, 1, 64);
        Range(failures, "ChunkTimeoutSeconds", options.ChunkTimeoutSeconds, 1, 3600);
        Range(failures, "PreflightMemoryMegabytes", options.PreflightMemoryMegabytes, 64, 1 << 20);
        Range(failures, "PreflightTimeoutSeconds", options.PreflightTimeoutSeconds, 1, 3600);
        Range(failures, "PreflightRuns", options.PreflightRuns, 1, 100);
        Range(failures, "AbandonedDownloadHours", options.AbandonedDownloadHours, 1, 24 * 365);
        Range(failures, "RetryDelaySeconds", options.RetryDelaySeconds, 1, 86400);
        Range(failures, "MaxRetryDelaySeconds", options.MaxRetryDelaySeconds, 1, 7 * 86400);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(List<string> list, string key, long value, long min, long max)
        {
            if (value < min || value > max)
            {
                list.Add($"{section}:{key}: {value} is out of range; allowed: {min}-{max}");
            }
        }
    }
}
