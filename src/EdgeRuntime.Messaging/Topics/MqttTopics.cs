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
    /// <summary>A device's progress events (not retained): <c>{root}/devices/{id}/events</c>.</summary>
    public string DeviceEvents(string deviceId) => $"{Root}/devices/{deviceId}/events";

    /// <summary>A pipeline's results: <c>{root}/devices/{id}/results/{pipeline}</c>.</summary>
    public string DeviceResults(string deviceId, string pipeline) => $"{Root}/devices/{deviceId}/results/{pipeline}";

    /// <summary>A signed command to a device: <c>{root}/devices/{id}/cmd/{command}</c>.</summary>
    public string DeviceCommand(string deviceId, string command) => $"{Root}/devices/{deviceId}/cmd/{command}";

    /// <summary>The filter matching every command to a device.</summary>
    public string DeviceCommands(string deviceId) => $"{Root}/devices/{deviceId}/cmd/+";

    /// <summary>Where a device answers a requester: <c>{root}/devices/{id}/replies/{requester}</c>.</summary>
    public string DeviceReply(string deviceId, string requester) => $"{Root}/devices/{deviceId}/replies/{requester}";

    /// <summary>
    /// Whether <paramref name="topic"/> is one of <paramref name="deviceId"/>'s reply topics
    /// (<c>{root}/devices/{id}/replies/{requester}</c>, one level, no wildcard). A device answers a command only there:
    /// otherwise anyone who may publish a command could make the device publish on any topic its own access allows
    /// (its status, its results).
    /// </summary>
    public bool IsDeviceReply(string topic, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var prefix = DeviceReply(deviceId, string.Empty);
        return topic.Length > prefix.Length && topic.StartsWith(prefix, StringComparison.Ordinal) && topic.AsSpan(prefix.Length).IndexOfAny('/', '+', '#') < 0;
    }

    /// <summary>A model's latest signed manifest (retained): <c>{root}/models/{name}/manifest</c>.</summary>
    public string ModelManifest(string model) => $"{Root}/models/{model}/manifest";

    /// <summary>The filter matching every model's latest manifest.</summary>
    public string AllModelManifests => $"{Root}/models/+/manifest";

    /// <summary>A model's signed latest statement (retained, re-signed on a schedule): <c>{root}/models/{name}/latest</c>.</summary>
    public string ModelLatest(string model) => $"{Root}/models/{model}/latest";

    /// <summary>
    /// The filter matching every model's latest manifest and latest statement together (and nothing of its versions):
    /// one subscription receives them in the order the fleet published them.
    /// </summary>
    public string AllModelLatestDocuments => $"{Root}/models/+/+";

    /// <summary>One version's signed manifest (retained): <c>{root}/models/{name}/{version}/manifest</c>.</summary>
    public string ModelVersionManifest(string model, long version) => $"{Root}/models/{model}/{version}/manifest";

    /// <summary>One chunk of a model version (retained, binary): <c>{root}/models/{name}/{version}/chunks/{index}</c>.</summary>
    public string ModelChunk(string model, long version, int index) => $"{Root}/models/{model}/{version}/chunks/{index}";

    /// <summary>Everything published for one version: its manifest and all its chunks (a filter).</summary>
    public string AllOfModelVersion(string model, long version) => $"{Root}/models/{model}/{version}/#";

    /// <summary>The model name in a latest-manifest topic, or null when the topic is not one.</summary>
    public string? ModelOfManifestTopic(string topic) => ModelOfTopic(topic, "manifest");

    /// <summary>The model name in a latest-statement topic, or null when the topic is not one.</summary>
    public string? ModelOfLatestTopic(string topic) => ModelOfTopic(topic, "latest");

    /// <summary>The command name in a device command topic, or null when the topic is not one.</summary>
    public string? CommandOfTopic(string topic, string deviceId)
    {
        var prefix = $"{Root}/devices/{deviceId}/cmd/";
        return topic.StartsWith(prefix, StringComparison.Ordinal) && topic.Length > prefix.Length && topic.IndexOf('/', prefix.Length) < 0
            ? topic[prefix.Length..]
            : null;
    }

    /// <summary>Federated updates of a model, published by devices: <c>{root}/fl/{model}/updates</c>.</summary>
    public string FederatedUpdates(string model) => $"{Root}/fl/{model}/updates";

    /// <summary>
    /// The MQTT 5 shared subscription aggregators of a model use, so the broker hands each update to one of them:
    /// <c>$share/{group}/{root}/fl/{model}/updates</c>.
    /// </summary>
    public string SharedFederatedUpdates(string group, string model) => $"$share/{group}/{FederatedUpdates(model)}";

    /// <summary>Partial sums member aggregators send the lead aggregator: <c>{root}/fl/{model}/partials</c>.</summary>
    public string FederatedPartials(string model) => $"{Root}/fl/{model}/partials";

    /// <summary>Receipts for what a device sent (its federated updates): <c>{root}/devices/{id}/receipts</c>.</summary>
    public string DeviceReceipts(string deviceId) => $"{Root}/devices/{deviceId}/receipts";

    /// <summary>Receipts the lead aggregator sends a member for its partials: <c>{root}/fl/{model}/aggregators/{id}/receipts</c>.</summary>
    public string AggregatorReceipts(string model, string aggregatorId) => $"{Root}/fl/{model}/aggregators/{aggregatorId}/receipts";

    /// <summary>An aggregator's retained status (version, counts, per-device accounting): <c>{root}/fl/{model}/aggregators/{id}/status</c>.</summary>
    public string AggregatorStatus(string model, string aggregatorId) => $"{Root}/fl/{model}/aggregators/{aggregatorId}/status";

    private string? ModelOfTopic(string topic, string leaf)
    {
        var parts = topic.Split('/');
        return parts.Length == 4 && parts[0] == Root && parts[1] == "models" && parts[3] == leaf && parts[2].Length > 0
            ? parts[2]
            : null;
    }

    /// <summary>
    /// The daemon's long-lived subscriptions whose messages a kept session queues while the device is away and delivers
    /// before the services that handle them have subscribed: fleet commands, the aggregators' receipts, the models'
    /// latest statements and manifests (<c>MqttConnectionSupervisor.HoldAtStartFor</c>).
    /// </summary>
    public IReadOnlyList<string> QueuedWhileAway(string deviceId) => [DeviceCommands(deviceId), DeviceReceipts(deviceId), AllModelLatestDocuments];
}
