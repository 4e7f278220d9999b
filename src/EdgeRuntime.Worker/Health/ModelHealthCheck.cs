using EdgeRuntime.Core.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// Serving models: degraded when a model the device knows has failed with no version serving (the pipelines that
/// need it wait); a refused update while an older version serves is healthy (the device serves, the status says why).
/// </summary>
internal sealed class ModelHealthCheck(ModelStatusBoard board) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Evaluate(board.Snapshot()));

    internal static HealthCheckResult Evaluate(IReadOnlyList<ModelStatus> models)
    {
        var notServing = models.Where(m => m.Phase == ModelPhase.Failed && m.ServingVersion is null).ToList();
        if (notServing.Count > 0)
        {
            return HealthCheckResult.Degraded(string.Join("; ", notServing.Select(m => $"{m.Name} v{m.Version} failed with no version serving: {m.Detail}")));
        }

        var serving = models.Count(m => m.Phase == ModelPhase.Serving || m.ServingVersion is not null);
        return HealthCheckResult.Healthy(models.Count == 0 ? "no models" : $"{serving} of {models.Count} serving");
    }
}
