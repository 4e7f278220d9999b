using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>Checks <see cref="HealthOptions"/>.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var failures = new List<string>();
        Range(nameof(HealthOptions.IntervalSeconds), options.IntervalSeconds, 1, 3600);
        Range(nameof(HealthOptions.BrokerGraceSeconds), options.BrokerGraceSeconds, 0, 86_400);
        Range(nameof(HealthOptions.PipelineStallSeconds), options.PipelineStallSeconds, 1, 86_400);
        Range(nameof(HealthOptions.MinFreeDiskMegabytes), options.MinFreeDiskMegabytes, 0, 1_000_000);
        if (options.File.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{HealthOptions.SectionName}:File: '{options.File}' is not a valid path");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"{HealthOptions.SectionName}:{key}: {value} is out of range; allowed: {min}-{max}");
            }
        }
    }
}
