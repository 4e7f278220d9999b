using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Pipelines.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeRuntime.Worker.Configuration;

/// <summary>
/// Names an unknown source or stage kind. The configuration binder leaves a list element out when one of its enum
/// values does not convert, so the bound options cannot tell "Thermometer" from a missing source; the raw values can.
/// </summary>
internal static class PipelineEnumCheck
{
    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var failures = new List<string>();
        foreach (var pipeline in configuration.GetSection(PipelineSetOptions.SectionName).GetChildren())
        {
            foreach (var source in pipeline.GetSection(nameof(PipelineOptions.Sources)).GetChildren())
            {
                Check<SourceKind>(source.GetSection(nameof(SourceOptions.Type)), failures);
                Check<RecordingFormat>(source.GetSection("Replay:Format"), failures);
            }

            Check<StageKind>(pipeline.GetSection("Stage:Type"), failures);
        }

        return failures;
    }

    private static void Check<TEnum>(IConfigurationSection section, List<string> failures)
        where TEnum : struct, Enum
    {
        if (section.Value is { Length: > 0 } value && !Enum.TryParse<TEnum>(value, ignoreCase: true, out _))
        {
            failures.Add($"{section.Path}: '{value}' is unknown; allowed: {string.Join(", ", Enum.GetNames<TEnum>())}");
        }
    }
}
