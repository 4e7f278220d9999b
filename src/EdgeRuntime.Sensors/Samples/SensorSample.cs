namespace EdgeRuntime.Sensors.Samples;

/// <summary>
/// What a source produces: one stream's reading at one time. <see cref="ReadyTimestamp"/> is when the reading became
/// available on this device (a <see cref="TimeProvider.GetTimestamp"/> value), from which pipelines measure latency.
/// </summary>
/// <param name="Stream">The stream within its source: a lane, a sensor id, a camera.</param>
/// <param name="Time">The time the reading describes (an interval's start, a frame's capture time).</param>
/// <param name="ReadyTimestamp">Monotonic timestamp at which the reading was ready.</param>
public abstract record SensorSample(string Stream, DateTimeOffset Time, long ReadyTimestamp);

/// <summary>Aggregates of one stream over one interval (counts, occupancy, speeds…), by metric name.</summary>
/// <param name="Stream">The lane or sensor.</param>
/// <param name="Time">The interval's start.</param>
/// <param name="Length">The interval's length.</param>
/// <param name="Values">Metric name → value; a metric with no observation in the interval is absent.</param>
/// <param name="ReadyTimestamp">Monotonic timestamp at which the interval was closed.</param>
public sealed record IntervalSample(string Stream, DateTimeOffset Time, TimeSpan Length, IReadOnlyDictionary<string, double> Values, long ReadyTimestamp)
    : SensorSample(Stream, Time, ReadyTimestamp)
{
    /// <summary>The interval's end (exclusive).</summary>
    public DateTimeOffset End => Time + Length;
}

/// <summary>One image from a camera or a folder, as 8-bit RGB.</summary>
/// <param name="Stream">The camera or folder.</param>
/// <param name="Time">Capture time.</param>
/// <param name="Frame">The pixels.</param>
/// <param name="ReadyTimestamp">Monotonic timestamp at which the frame was decoded.</param>
public sealed record FrameSample(string Stream, DateTimeOffset Time, RgbFrame Frame, long ReadyTimestamp)
    : SensorSample(Stream, Time, ReadyTimestamp);

/// <summary>An 8-bit RGB image, rows top to bottom, 3 bytes a pixel. Immutable by convention.</summary>
/// <param name="Width">Pixels a row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Pixels">Width × Height × 3 bytes.</param>
/// <param name="Label">Where it came from (a file name), for results and errors.</param>
public sealed record RgbFrame(int Width, int Height, byte[] Pixels, string Label);
