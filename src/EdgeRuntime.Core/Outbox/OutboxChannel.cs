namespace EdgeRuntime.Core.Outbox;

/// <summary>
/// What an outbox message is, which decides where the transport sends it (the topic contract lives with the
/// transport, docs/protocol.md) and when it may be forgotten (<see cref="OutboxRelease"/>).
/// </summary>
public enum OutboxChannel
{
    /// <summary>A federated update of model <c>Name</c>: <c>{root}/fl/{model}/updates</c>; released by the aggregator's receipt.</summary>
    FederatedUpdate,

    /// <summary>An aggregator's partial sums for model <c>Name</c>: <c>{root}/fl/{model}/partials</c>; released by the lead aggregator's receipt.</summary>
    AggregatePartial,

    /// <summary>A pipeline result of pipeline <c>Name</c>: <c>{root}/devices/{id}/results/{pipeline}</c>; released by the broker's acknowledgement.</summary>
    PipelineResult,
}
