using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Runs the embedded broker when no external one is configured: its retained messages kept in the state directory, its
/// packets capped at Mqtt:MaxPacketBytes, and only the local credential (<see cref="LocalBrokerCredential"/>, created
/// on the first start) let in. It starts before the connection and stops after it.
/// </summary>
internal sealed partial class EmbeddedBrokerService(BrokerConnection broker, IOptions<EdgeRuntimeOptions> runtime, IOptions<MqttOptions> mqtt, ILogger<EmbeddedMqttBroker> logger) : IHostedService, IAsyncDisposable
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
            var state = runtime.Value.StateDirectory!;
            var retained = new RetainedMessageStore(Path.Combine(state, "broker", "retained"));
            var credential = LocalBrokerCredential.LoadOrCreate(state);
            var settings = new EmbeddedBrokerSettings(broker.Endpoint.Port) { MaxPacketBytes = mqtt.Value.MaxPacketBytes, Credential = credential };
            _broker = await EmbeddedMqttBroker.StartAsync(settings, logger, retained);
            LogLocalLogin(logger, LocalBrokerCredential.Username, LocalBrokerCredential.PasswordFile(state), mqtt.Value.MaxPacketBytes);
        }
        catch (EmbeddedBrokerException ex)
        {
            throw new StartupException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new StartupException($"StateDirectory: the embedded broker's retained messages and local credential cannot be kept there: {ex.Message}", ex);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker: local clients log in as '{Username}' with the password in {PasswordFile} (e.g. mosquitto_sub -u {Username} -P \"$(cat {PasswordFile})\"); packets up to {MaxPacketBytes} bytes")]
    private static partial void LogLocalLogin(ILogger logger, string username, string passwordFile, int maxPacketBytes);
}
