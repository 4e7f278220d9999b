namespace EdgeRuntime.Core.Learning;

/// <summary>
/// A forecast a pipeline served, kept with the window it was made from so that, once the intervals it forecast have
/// been observed, it becomes a labelled training example. Values are in the model's normalised units; <see cref="TargetMean"/>
/// and <see cref="TargetStd"/> normalise the later observations the same way.
/// </summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Model">The model name.</param>
/// <param name="ModelVersion">The version that answered.</param>
/// <param name="Stream">The stream (lane, sensor).</param>
/// <param name="IntervalStart">Start of the newest interval in the window.</param>
/// <param name="IntervalLength">Interval length; horizon h forecasts the interval starting h lengths after <paramref name="IntervalStart"/>.</param>
/// <param name="Window">The model input, [Window × RowWidth] row-major (owned by the record from now on).</param>
/// <param name="Horizons">Intervals ahead of each forecast column.</param>
/// <param name="Forecast">The model's normalised forecasts, one per horizon.</param>
/// <param name="TargetMean">Mean that normalised the target.</param>
/// <param name="TargetStd">Standard deviation that normalised the target.</param>
public sealed record ForecastRecord(
    string Pipeline,
    string Model,
    long ModelVersion,
    string Stream,
    DateTimeOffset IntervalStart,
    TimeSpan IntervalLength,
    float[] Window,
    IReadOnlyList<int> Horizons,
    float[] Forecast,
    double TargetMean,
    double TargetStd);

/// <summary>The target metric of one stream observed over one interval (raw, in the metric's unit).</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Stream">The stream.</param>
/// <param name="IntervalStart">The interval's start.</param>
/// <param name="Value">The observed value.</param>
public readonly record struct TargetObservation(string Pipeline, string Stream, DateTimeOffset IntervalStart, double Value);

/// <summary>
/// Receives what forecast pipelines serve and observe, for on-device learning. Implementations must be cheap and
/// thread-safe: they are called on the serving path (observations from the sample's source thread, forecasts from
/// the batcher's or its completion worker's thread).
/// </summary>
public interface IForecastObserver
{
    /// <summary>A stream's target was observed for an interval (called before that interval's window is served).</summary>
    void OnObservation(in TargetObservation observation);

    /// <summary>A forecast was served.</summary>
    void OnForecast(ForecastRecord forecast);
}
