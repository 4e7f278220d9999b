using System.Diagnostics.Metrics;

namespace EdgeRuntime.Pipelines.Metrics;

/// <summary>
/// The pipelines' measurements recorded as they happen (System.Diagnostics.Metrics): the meter
/// <c>EdgeRuntime.Pipelines</c>. Counters and gauges are read from <see cref="PipelineCounters"/> by the daemon's
/// observable instruments instead; only what needs every sample lives here. Recording without a listener costs a
/// check of one flag.
/// </summary>
public static class PipelineInstruments
{
    /// <summary>The meter's name, for exporters (<c>AddMeter</c>).</summary>
    public const string MeterName = "EdgeRuntime.Pipelines";

    /// <summary>The meter.</summary>
    public static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// <c>edge.pipeline.latency</c>, seconds from sample ready to result ready, tagged <c>pipeline</c>. Bucket
    /// boundaries from 0.1 ms to 10 s (a micro-batched forecaster answers in ~1 ms, a detector in tens).
    /// </summary>
    public static readonly Histogram<double> Latency = Meter.CreateHistogram(
        "edge.pipeline.latency",
        unit: "s",
        description: "Latency from sample ready to result ready",
        tags: null,
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });
}
