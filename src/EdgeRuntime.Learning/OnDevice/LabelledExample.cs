namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// A served forecast whose intervals have since been observed: the window the model saw, the normalised observed
/// targets (one per horizon) with weights (0 where the interval was not observed), and what the model forecast.
/// </summary>
/// <param name="Pipeline">The pipeline that served it.</param>
/// <param name="Model">The model name.</param>
/// <param name="ModelVersion">The version that answered.</param>
/// <param name="Stream">The stream.</param>
/// <param name="IntervalStart">Start of the newest interval in the window.</param>
/// <param name="IntervalLength">Interval length (one horizon step).</param>
/// <param name="Window">The model input [Window × RowWidth].</param>
/// <param name="Targets">Normalised observed targets, one per horizon.</param>
/// <param name="Weights">1 where the target was observed, 0 where not.</param>
/// <param name="Forecast">The served model's normalised forecasts, one per horizon.</param>
public sealed record LabelledExample(
    string Pipeline,
    string Model,
    long ModelVersion,
    string Stream,
    DateTimeOffset IntervalStart,
    TimeSpan IntervalLength,
    float[] Window,
    float[] Targets,
    float[] Weights,
    float[] Forecast);

/// <summary>Receives labelled examples as labels complete. Thread-safe, cheap: called on the serving path.</summary>
public interface ILabelledExampleSink
{
    /// <summary>Takes <paramref name="example"/> (owned from now on).</summary>
    void Add(LabelledExample example);
}
