namespace EdgeRuntime.Messaging.Connection;

/// <summary>The message the broker publishes (retained, QoS 1) when the connection dies without a clean disconnect.</summary>
/// <param name="Topic">Where it goes.</param>
/// <param name="Payload">What it says.</param>
public sealed record MqttLastWill(string Topic, byte[] Payload);
