using MQTTnet.Exceptions;

namespace EdgeRuntime.Messaging.PacketSize;

/// <summary>
/// A peer announced a packet larger than the connection's limit; nothing of its body was read and the connection is
/// closed. A protocol violation for MQTTnet, so it ends the connection as one.
/// </summary>
/// <param name="packetBytes">The announced size of the whole packet, in bytes.</param>
/// <param name="maxPacketBytes">The limit, in bytes.</param>
public sealed class MqttPacketTooLargeException(long packetBytes, long maxPacketBytes)
    : MqttProtocolViolationException($"a packet of {packetBytes} bytes is larger than the maximum packet size {maxPacketBytes} (packet-too-large)")
{
    /// <summary>The refusal code in logs and documents.</summary>
    public const string Code = "packet-too-large";

    /// <summary>The announced size of the whole packet, in bytes.</summary>
    public long PacketBytes { get; } = packetBytes;

    /// <summary>The limit, in bytes.</summary>
    public long MaxPacketBytes { get; } = maxPacketBytes;
}
