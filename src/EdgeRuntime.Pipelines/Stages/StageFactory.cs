using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Stages;

/// <summary>Makes the stage a pipeline's configuration names.</summary>
public static class StageFactory
{
    /// <summary>
    /// A new stage for <paramref name="options"/> (each call a fresh one, with no history). The pipeline check before a
    /// swap passes only <paramref name="options"/>: fitting a model needs no observer and no frame pre-processor.
    /// </summary>
    /// <param name="options">The stage's configuration.</param>
    /// <param name="pipeline">The pipeline's name (a forecast stage tells its observer).</param>
    /// <param name="model">The model's name (likewise).</param>
    /// <param name="observer">Receives each forecast (on-device learning joins them with their labels), or null.</param>
    /// <param name="preprocessors">Makes a detector's frame pre-processor (ILGPU or managed), or null for the managed one.</param>
    public static IPipelineStage Create(StageOptions options, string pipeline = "", string model = "", IForecastObserver? observer = null, IFramePreprocessorFactory? preprocessors = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Type == StageKind.Forecast ? new ForecastStage(options, pipeline, model, observer) : new DetectorStage(options, preprocessors);
    }
}
