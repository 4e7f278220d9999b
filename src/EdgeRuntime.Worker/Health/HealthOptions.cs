namespace EdgeRuntime.Worker.Health;

/// <summary>How the daemon checks its own health (section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Health";

    /// <summary>Seconds between checks; each writes the health file. Default 10.</summary>
    public int IntervalSeconds { get; set; } = 10;

    /// <summary>
    /// The file <c>edge-runtime health</c> reads. Default: <c>health.json</c> in the state directory. Written by
    /// rename, without fsync: it is a snapshot that the next check replaces.
    /// </summary>
    public string File { get; set; } = string.Empty;

    /// <summary>
    /// Seconds the broker may be unreachable before the daemon counts as unhealthy (a reconnect usually takes
    /// less). Default 30.
    /// </summary>
    public int BrokerGraceSeconds { get; set; } = 30;

    /// <summary>Seconds a pipeline may hold queued samples without serving one before it counts as stalled. Default 120.</summary>
    public int PipelineStallSeconds { get; set; } = 120;

    /// <summary>Free space, MB, below which the state directory's disk is unhealthy (below 4× this: degraded). Default 100.</summary>
    public int MinFreeDiskMegabytes { get; set; } = 100;
}
