using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeRuntime.Worker.Health;

/// <summary>The latest health report of the daemon and when it was made. Thread-safe.</summary>
internal sealed class HealthState(TimeProvider timeProvider)
{
    private volatile Snapshot? _latest;

    /// <summary>The latest report, or null before the first check.</summary>
    public HealthReport? Latest => _latest?.Report;

    /// <summary>
    /// Whether the daemon may tell systemd it is alive: the latest check found it healthy or degraded (not
    /// unhealthy) and is no older than <paramref name="maxAge"/> (a monitor that stopped checking is no proof).
    /// </summary>
    public bool IsAlive(TimeSpan maxAge) =>
        _latest is { } latest && latest.Report.Status != HealthStatus.Unhealthy && timeProvider.GetElapsedTime(latest.Timestamp) <= maxAge;

    /// <summary>Stores a new report.</summary>
    public void Update(HealthReport report) => _latest = new Snapshot(report, timeProvider.GetTimestamp());

    private sealed record Snapshot(HealthReport Report, long Timestamp);
}
