using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>A message delivered to a subscription handler. The payload is a private copy.</summary>
/// <param name="Topic">The topic it was published to.</param>
/// <param name="Payload">The payload bytes.</param>
/// <param name="QualityOfService">The QoS it arrived with.</param>
/// <param name="Retained">True when the broker sent it as a retained message on subscribe.</param>
/// <param name="ContentType">MIME type, when the publisher set one.</param>
/// <param name="ResponseTopic">Where the publisher wants an answer (MQTT 5 request/response).</param>
/// <param name="CorrelationData">What the answer must carry back (MQTT 5 request/response).</param>
public sealed record ReceivedMessage(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    MqttQualityOfServiceLevel QualityOfService,
    bool Retained,
    string? ContentType,
    string? ResponseTopic,
    ReadOnlyMemory<byte> CorrelationData);
