using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// The broker connection: healthy while connected, degraded while it has been down for less than
/// <see cref="HealthOptions.BrokerGraceSeconds"/> (a reconnect in progress), unhealthy after that.
/// </summary>
internal sealed class BrokerHealthCheck(MqttConnectionSupervisor supervisor, IOptions<HealthOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    private long _downSince = -1;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Evaluate(supervisor.IsConnected, supervisor.Endpoint, supervisor.LastConnectError));

    internal HealthCheckResult Evaluate(bool connected, string endpoint, string? lastError)
    {
        if (connected)
        {
            Interlocked.Exchange(ref _downSince, -1);
            return HealthCheckResult.Healthy($"connected to {endpoint}");
        }

        var now = timeProvider.GetTimestamp();
        var since = Interlocked.CompareExchange(ref _downSince, now, -1);
        var down = since == -1 ? TimeSpan.Zero : timeProvider.GetElapsedTime(since, now);
        var description = $"not connected to {endpoint} for {down.TotalSeconds:0} s{(lastError is null ? string.Empty : $" ({lastError})")}";
        return down >= TimeSpan.FromSeconds(options.Value.BrokerGraceSeconds)
            ? HealthCheckResult.Unhealthy(description)
            : HealthCheckResult.Degraded(description);
    }
}
