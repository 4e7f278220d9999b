namespace EdgeRuntime.Sensors.Replay;

/// <summary>A CSV recording and how to play it.</summary>
public sealed class ReplayOptions
{
    /// <summary>The CSV file. Required.</summary>
    public string File { get; set; } = string.Empty;

    /// <summary>Its layout. Default <see cref="RecordingFormat.Wide"/>.</summary>
    public RecordingFormat Format { get; set; } = RecordingFormat.Wide;

    /// <summary>Length of one interval (one row in the wide format). Default 5 minutes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time of the first row in the wide format (which has no time column). Default 2012-03-01 00:00 UTC.</summary>
    public DateTimeOffset Start { get; set; } = new(2012, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Metric name of a wide file's values ("speedKmh", "count"…). Default "value".</summary>
    public string Metric { get; set; } = "value";

    /// <summary>Long format: the timestamp column. Default "timestamp".</summary>
    public string TimestampColumn { get; set; } = "timestamp";

    /// <summary>Long format: the stream column, or empty when the whole file is one stream (named after the source).</summary>
    public string StreamColumn { get; set; } = string.Empty;

    /// <summary>Long format: metric columns to read; empty reads every other numeric column.</summary>
    public List<string> Metrics { get; set; } = [];

    /// <summary>Streams to play (wide: column names); empty plays all.</summary>
    public List<string> Streams { get; set; } = [];

    /// <summary>Playback speed: 1 is real time, 100 is a hundred times faster, 0 as fast as the pipeline takes it. Default 1.</summary>
    public double Speed { get; set; } = 1;

    /// <summary>Rows (intervals) to skip at the start. Default 0.</summary>
    public int SkipIntervals { get; set; }

    /// <summary>Intervals to play at most; 0 plays to the end. Default 0.</summary>
    public int MaxIntervals { get; set; }

    /// <summary>Start again from the first row at the end. Default false.</summary>
    public bool Loop { get; set; }
}
