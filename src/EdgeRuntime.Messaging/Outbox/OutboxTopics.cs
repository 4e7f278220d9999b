using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Messaging.Outbox;

/// <summary>Where each <see cref="OutboxChannel"/> goes in the topic contract (docs/protocol.md).</summary>
/// <param name="topics">The contract.</param>
/// <param name="clientId">The device (or aggregator) whose results topics a <see cref="OutboxChannel.PipelineResult"/> uses.</param>
public sealed class OutboxTopics(MqttTopics topics, string clientId)
{
    /// <summary>The topic of an entry.</summary>
    public string Of(OutboxChannel channel, string name) => channel switch
    {
        OutboxChannel.FederatedUpdate => topics.FederatedUpdates(name),
        OutboxChannel.AggregatePartial => topics.FederatedPartials(name),
        OutboxChannel.PipelineResult => topics.DeviceResults(clientId, name),
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "unknown outbox channel"),
    };

    /// <summary>The content type an entry is published with.</summary>
    public static string ContentType(OutboxChannel channel) => channel == OutboxChannel.PipelineResult ? "application/json" : "application/octet-stream";
}
