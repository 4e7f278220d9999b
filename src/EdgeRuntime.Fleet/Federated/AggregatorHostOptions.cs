using EdgeRuntime.Messaging.Outbox;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>How an aggregator host talks to the broker.</summary>
internal sealed record AggregatorHostOptions
{
    /// <summary>The MQTT 5 shared-subscription group the model's aggregators join; empty: a plain subscription (brokers without shared subscriptions, such as the embedded one, and a single aggregator).</summary>
    public string ShareGroup { get; init; } = "aggregators";

    /// <summary>Most updates taken in one transaction. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>How often the planner is asked again without new updates (deadlines, a member's partial age). Default 250 ms.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long devices may accept a published version's manifest. Default 30 days.</summary>
    public TimeSpan ManifestLifetime { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Chunk size of published versions. Default 256 KiB.</summary>
    public int ChunkSize { get; init; } = 256 * 1024;

    /// <summary>A member's partial-sums outbox (its database file); null on the lead.</summary>
    public string? PartialOutboxPath { get; init; }

    /// <summary>A member's outbox upload settings.</summary>
    public OutboxUploadOptions Upload { get; init; } = new();
}
