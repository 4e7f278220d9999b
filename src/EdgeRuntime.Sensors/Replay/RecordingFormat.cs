namespace EdgeRuntime.Sensors.Replay;

/// <summary>How a CSV recording lays out its readings.</summary>
public enum RecordingFormat
{
    /// <summary>One row per interval, one column per stream (sensor), no time column: rows in time order from a known start.</summary>
    Wide,

    /// <summary>One row per stream and interval: a timestamp column, optionally a stream column, and metric columns.</summary>
    Long,
}
