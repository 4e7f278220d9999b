using System.Collections.Concurrent;
using EdgeRuntime.Core.Pipelines;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// Pipelines making progress: unhealthy when one holds queued samples and has served none for
/// <see cref="HealthOptions.PipelineStallSeconds"/> (a stuck batcher or model); degraded when one failed (a
/// recording that cannot be read stops that pipeline only) or waits for its model.
/// </summary>
internal sealed class PipelineHealthCheck(PipelineStatusBoard board, IOptions<HealthOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    private readonly ConcurrentDictionary<string, (long Served, long Since)> _progress = new(StringComparer.Ordinal);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Evaluate(board.Snapshot()));

    internal HealthCheckResult Evaluate(IReadOnlyList<PipelineStatus> pipelines)
    {
        if (pipelines.Count == 0)
        {
            return HealthCheckResult.Healthy("no pipelines");
        }

        var now = timeProvider.GetTimestamp();
        var stall = TimeSpan.FromSeconds(options.Value.PipelineStallSeconds);
        var stalled = new List<string>();
        var degraded = new List<string>();
        foreach (var pipeline in pipelines)
        {
            var progress = _progress.AddOrUpdate(pipeline.Name, _ => (pipeline.Served, now), (_, old) => old.Served == pipeline.Served ? old : (pipeline.Served, now));
            if (pipeline.Queued > 0 && timeProvider.GetElapsedTime(progress.Since, now) >= stall)
            {
                stalled.Add($"{pipeline.Name}: {pipeline.Queued} queued, none served for {timeProvider.GetElapsedTime(progress.Since, now).TotalSeconds:0} s");
            }
            else if (pipeline.State.StartsWith("failed", StringComparison.Ordinal) || pipeline.State.StartsWith("waiting", StringComparison.Ordinal))
            {
                degraded.Add($"{pipeline.Name}: {pipeline.State}");
            }
        }

        if (stalled.Count > 0)
        {
            return HealthCheckResult.Unhealthy(string.Join("; ", stalled.Concat(degraded)));
        }

        return degraded.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", degraded))
            : HealthCheckResult.Healthy($"{pipelines.Count} running");
    }
}
