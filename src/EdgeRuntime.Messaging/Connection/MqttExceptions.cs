using MQTTnet;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>The supervisor holds <see cref="Capacity"/> messages already; the new one was not accepted.</summary>
public sealed class OutgoingQueueFullException(int capacity, string topic)
    : Exception($"MQTT outgoing queue is full ({capacity} messages waiting for the broker); '{topic}' was not queued")
{
    /// <summary>The configured capacity (Mqtt:MaxQueuedMessages).</summary>
    public int Capacity { get; } = capacity;
}

/// <summary>The broker refused a message for good (not authorised, invalid topic, …); resending cannot help.</summary>
public sealed class PublishRejectedException(string topic, MqttClientPublishReasonCode reasonCode, string? reason)
    : Exception($"MQTT broker rejected the message on '{topic}': {MqttReasonCodes.Describe((int)reasonCode)}{(string.IsNullOrEmpty(reason) ? string.Empty : $": {reason}")}")
{
    /// <summary>The broker's PUBACK reason code.</summary>
    public MqttClientPublishReasonCode ReasonCode { get; } = reasonCode;
}

/// <summary>The broker answered CONNECT with a refusal.</summary>
public sealed class MqttConnectionRefusedException(string endpoint, MqttClientConnectResultCode resultCode, string? reason)
    : Exception($"MQTT broker {endpoint} refused the connection: {MqttReasonCodes.Describe((int)resultCode)}{(string.IsNullOrEmpty(reason) ? string.Empty : $": {reason}")}")
{
    /// <summary>The broker's CONNACK reason code.</summary>
    public MqttClientConnectResultCode ResultCode { get; } = resultCode;
}
