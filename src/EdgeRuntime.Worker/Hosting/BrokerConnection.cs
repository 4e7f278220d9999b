using EdgeRuntime.Messaging.Configuration;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Which broker the daemon uses: the configured one, or its embedded one on 127.0.0.1.</summary>
/// <param name="Endpoint">Where to connect.</param>
/// <param name="IsEmbedded">True when the daemon runs the broker itself.</param>
/// <param name="ClientId">The client id on that broker.</param>
public sealed record BrokerConnection(BrokerEndpoint Endpoint, bool IsEmbedded, string ClientId)
{
    /// <summary>Resolves the broker from validated options.</summary>
    public static BrokerConnection From(MqttOptions options, string deviceId)
    {
        var clientId = string.IsNullOrWhiteSpace(options.ClientId) ? $"edge-runtime-{deviceId}" : options.ClientId;
        if (string.IsNullOrWhiteSpace(options.Server))
        {
            return new BrokerConnection(new BrokerEndpoint("127.0.0.1", options.EmbeddedPort, UseTls: false), IsEmbedded: true, clientId);
        }

        if (!BrokerEndpoint.TryParse(options.Server, out var endpoint, out var error))
        {
            throw new StartupException($"{MqttOptions.SectionName}:Server: {error}");
        }

        return new BrokerConnection(endpoint!, IsEmbedded: false, clientId);
    }
}
