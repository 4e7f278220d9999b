using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// The broker connection: healthy while connected, degraded while it has been down for less than
/// <see cref="HealthOptions.BrokerGraceSeconds"/> (a reconnect in progress), unhealthy after that. While the client id is
/// in conflict it is degraded whether connected or not: the daemon waits before reconnecting on purpose, and a restart
/// by the watchdog would only forget the back-off and start the takeovers again.
/// </summary>
internal sealed class BrokerHealthCheck(MqttConnectionSupervisor supervisor, IOptions<HealthOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    private long _downSince = -1;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var takeovers = supervisor.Takeovers;
        if (takeovers.InConflict)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"client id {supervisor.ClientId} is in use by another connection to {supervisor.Endpoint} ({takeovers.Total} takeovers; {Core.Devices.ClientIdConflict.Code})"));
        }

        return Task.FromResult(Evaluate(supervisor.IsConnected, supervisor.Endpoint, supervisor.LastConnectError));
    }

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
