using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Presence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Starts the broker connection with presence attached (so the first connect already announces the
/// device), and at stop publishes offline, lets the queue drain, and disconnects cleanly.
/// </summary>
internal sealed partial class MqttConnectionService(
    MqttConnectionSupervisor supervisor,
    DevicePresence presence,
    BrokerConnection broker,
    TimeProvider timeProvider,
    ILogger<MqttConnectionService> logger) : IHostedService
{
    private static readonly TimeSpan OfflineTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        presence.Start();
        supervisor.Start();
        LogConnecting(logger, supervisor.Endpoint, broker.IsEmbedded ? "embedded" : "external", supervisor.ClientId);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (supervisor.IsConnected)
        {
            try
            {
                // A status that could not be queued or was refused is logged where it failed.
                if (await presence.PublishOfflineAsync().WaitAsync(OfflineTimeout, timeProvider, cancellationToken))
                {
                    LogOfflinePublished(logger, supervisor.Endpoint);
                }
            }
            catch (TimeoutException)
            {
                LogOfflineNotConfirmed(logger, OfflineTimeout.TotalSeconds);
            }
        }
        else
        {
            LogOfflineByWill(logger, supervisor.Endpoint);
        }

        await supervisor.StopAsync(DrainTimeout, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connecting to {Endpoint} ({Kind} broker) as {ClientId}")]
    private static partial void LogConnecting(ILogger logger, string endpoint, string kind, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: published the offline status (reason shutdown) to {Endpoint}")]
    private static partial void LogOfflinePublished(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping while not connected to {Endpoint}: no offline status sent (if a connection was lost, the broker has published its last will: offline, reason connection-lost)")]
    private static partial void LogOfflineByWill(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker did not confirm the offline status within {Seconds} s")]
    private static partial void LogOfflineNotConfirmed(ILogger logger, double seconds);
}
