using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>A message for the broker, held by the supervisor until the broker acknowledges it.</summary>
public sealed record OutgoingMessage
{
    /// <summary>Creates a message. QoS 2 is refused: see <see cref="MqttConnectionSupervisor"/>.</summary>
    public OutgoingMessage(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qualityOfService = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (topic.IndexOfAny(['+', '#']) >= 0)
        {
            throw new ArgumentException($"topic '{topic}' contains a wildcard; publish topics may not", nameof(topic));
        }

        if (qualityOfService == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new ArgumentOutOfRangeException(nameof(qualityOfService), "QoS 2 is not supported: it needs packet ids that survive a reconnect, which the MQTT client does not keep; use QoS 1 with idempotent handling");
        }

        Topic = topic;
        Payload = payload;
        QualityOfService = qualityOfService;
        Retain = retain;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The payload bytes; the supervisor keeps a reference, so do not reuse the buffer.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>QoS 0 or 1.</summary>
    public MqttQualityOfServiceLevel QualityOfService { get; }

    /// <summary>Whether the broker keeps it as the topic's retained message.</summary>
    public bool Retain { get; }

    /// <summary>
    /// Latest wins: a queued message on the same topic with this flag that has not been sent yet is dropped
    /// in favour of this one (its publish completes as <see cref="PublishOutcome.Superseded"/>). For state
    /// documents such as the device status, where only the newest matters.
    /// </summary>
    public bool ReplacesQueued { get; init; }

    /// <summary>MIME type of the payload, e.g. application/json.</summary>
    public string? ContentType { get; init; }

    /// <summary>MQTT 5 request/response: where the receiver should send its answer.</summary>
    public string? ResponseTopic { get; init; }

    /// <summary>MQTT 5 request/response: bytes the answer carries back so the requester can match it.</summary>
    public ReadOnlyMemory<byte> CorrelationData { get; init; }
}
