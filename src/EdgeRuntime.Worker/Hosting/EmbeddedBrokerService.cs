using EdgeRuntime.Messaging.Broker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Runs the embedded broker when no external one is configured; it starts before the connection and stops after it.</summary>
internal sealed class EmbeddedBrokerService(BrokerConnection broker, ILogger<EmbeddedMqttBroker> logger) : IHostedService, IAsyncDisposable
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
            _broker = await EmbeddedMqttBroker.StartAsync(broker.Endpoint.Port, logger);
        }
        catch (EmbeddedBrokerException ex)
        {
            throw new StartupException(ex.Message, ex);
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
