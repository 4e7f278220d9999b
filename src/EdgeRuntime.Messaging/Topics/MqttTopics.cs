namespace EdgeRuntime.Messaging.Topics;

/// <summary>
/// The topic contract (docs/protocol.md) under a configurable root. One instance per root; immutable.
/// </summary>
public sealed class MqttTopics
{
    /// <summary>Creates the contract under <paramref name="root"/> (default <c>edge</c>).</summary>
    public MqttTopics(string root = "edge")
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root;
    }

    /// <summary>The first topic level.</summary>
    public string Root { get; }

    /// <summary>A device's retained status: <c>{root}/devices/{id}/status</c>.</summary>
    public string DeviceStatus(string deviceId) => $"{Root}/devices/{deviceId}/status";

    /// <summary>The filter matching every device's status.</summary>
    public string AllDeviceStatuses => $"{Root}/devices/+/status";

    /// <summary>The device id in a status topic, or null when the topic is not one.</summary>
    public string? DeviceIdOfStatusTopic(string topic)
    {
        var parts = topic.Split('/');
        return parts.Length == 4 && parts[0] == Root && parts[1] == "devices" && parts[3] == "status" && parts[2].Length > 0
            ? parts[2]
            : null;
    }
}
