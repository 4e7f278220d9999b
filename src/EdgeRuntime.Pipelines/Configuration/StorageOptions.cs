namespace EdgeRuntime.Pipelines.Configuration;

/// <summary>The local result store (section <c>Results</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Results";

    /// <summary>SQLite file, relative to the state directory. Default "results.db".</summary>
    public string Database { get; set; } = "results.db";

    /// <summary>Results older than this are deleted, hours. Default 168 (a week).</summary>
    public double RetentionHours { get; set; } = 168;

    /// <summary>At most this many results are kept (oldest deleted first). Default 1,000,000.</summary>
    public long MaxRows { get; set; } = 1_000_000;

    /// <summary>Seconds between live lines in the log per pipeline; 0 prints none. Default 10.</summary>
    public double LiveLineSeconds { get; set; } = 10;
}
