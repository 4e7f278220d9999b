using EdgeRuntime.Messaging.Configuration;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>How an <see cref="EmbeddedMqttBroker"/> runs.</summary>
/// <param name="Port">The TCP port on 127.0.0.1.</param>
public sealed record EmbeddedBrokerSettings(int Port)
{
    /// <summary>The largest packet a client may send, in bytes; also announced in CONNACK. Default <see cref="MqttOptions.DefaultMaxPacketBytes"/>.</summary>
    public int MaxPacketBytes { get; init; } = MqttOptions.DefaultMaxPacketBytes;

    /// <summary>
    /// The most retained payload the broker holds, in bytes (default 64 MiB: the daemon's own retained documents are a
    /// few kB each, a model's chunks are not retained); a retained publish beyond it is refused with Quota exceeded.
    /// </summary>
    public long MaxRetainedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The only login accepted; null accepts every client (tools that run a broker for their own in-process clients, tests).</summary>
    public BrokerCredential? Credential { get; init; }
}
