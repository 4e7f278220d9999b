using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Stages;

/// <summary>Makes the stage a pipeline's configuration names.</summary>
public static class StageFactory
{
    /// <summary>A new stage for <paramref name="options"/> (each call a fresh one, with no history).</summary>
    public static IPipelineStage Create(StageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Type == StageKind.Forecast ? new ForecastStage(options) : new DetectorStage(options);
    }
}
