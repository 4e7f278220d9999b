using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Runs the embedded broker when no external one is configured, its retained messages kept in the state directory; it starts before the connection and stops after it.</summary>
internal sealed class EmbeddedBrokerService(BrokerConnection broker, IOptions<EdgeRuntimeOptions> runtime, ILogger<EmbeddedMqttBroker> logger) : IHostedService, IAsyncDisposable
{
    private EmbeddedMqttBroker? _broker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!broker.IsEmbedded)
        {
            return;
        }

        try
        {
            // Retained messages (the fleet's model offers and chunks) live in the state directory and outlive the process.
            var retained = new RetainedMessageStore(Path.Combine(runtime.Value.StateDirectory!, "broker", "retained"));
            _broker = await EmbeddedMqttBroker.StartAsync(broker.Endpoint.Port, logger, retained);
        }
        catch (EmbeddedBrokerException ex)
        {
            throw new StartupException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"StateDirectory: the embedded broker's retained messages cannot be kept there: {ex.Message}", ex);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
            _broker = null;
        }
    }
}
