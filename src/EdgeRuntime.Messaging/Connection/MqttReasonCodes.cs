namespace EdgeRuntime.Messaging.Connection;

/// <summary>
/// The names of MQTT 5 reason codes (OASIS MQTT Version 5.0, section 2.4, table 2-6), for one-line messages. Brokers
/// also send codes that MQTTnet's enums lack for a packet type, such as Mosquitto's 0x95 "Packet too large" on a
/// PUBACK when a message exceeds its <c>message_size_limit</c> (older configurations); those print by name too instead of a bare number.
/// </summary>
public static class MqttReasonCodes
{
    /// <summary>"Packet too large (0x95)" for 149; "reason 0xNN" for a code the specification does not define.</summary>
    public static string Describe(int code)
    {
        var name = code switch
        {
            0x00 => "Success",
            0x10 => "No matching subscribers",
            0x11 => "No subscription existed",
            0x18 => "Continue authentication",
            0x19 => "Re-authenticate",
            0x80 => "Unspecified error",
            0x81 => "Malformed packet",
            0x82 => "Protocol error",
            0x83 => "Implementation specific error",
            0x84 => "Unsupported protocol version",
            0x85 => "Client identifier not valid",
            0x86 => "Bad user name or password",
            0x87 => "Not authorized",
            0x88 => "Server unavailable",
            0x89 => "Server busy",
            0x8A => "Banned",
            0x8B => "Server shutting down",
            0x8C => "Bad authentication method",
            0x8D => "Keep alive timeout",
            0x8E => "Session taken over",
            0x8F => "Topic filter invalid",
            0x90 => "Topic name invalid",
            0x91 => "Packet identifier in use",
            0x92 => "Packet identifier not found",
            0x93 => "Receive maximum exceeded",
            0x94 => "Topic alias invalid",
            0x95 => "Packet too large",
            0x96 => "Message rate too high",
            0x97 => "Quota exceeded",
            0x98 => "Administrative action",
            0x99 => "Payload format invalid",
            0x9A => "Retain not supported",
            0x9B => "QoS not supported",
            0x9C => "Use another server",
            0x9D => "Server moved",
            0x9E => "Shared subscriptions not supported",
            0x9F => "Connection rate exceeded",
            0xA0 => "Maximum connect time",
            0xA1 => "Subscription identifiers not supported",
            0xA2 => "Wildcard subscriptions not supported",
            _ => null,
        };
        return name is null ? $"reason 0x{code:X2}" : $"{name} (0x{code:X2})";
    }
}
