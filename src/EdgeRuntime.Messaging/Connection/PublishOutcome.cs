namespace EdgeRuntime.Messaging.Connection;

/// <summary>How a publish ended. Failures are exceptions: <see cref="PublishRejectedException"/>, <see cref="OutgoingQueueFullException"/>.</summary>
public enum PublishOutcome
{
    /// <summary>QoS 1: the broker acknowledged it (PUBACK). Not durability: see docs/protocol.md.</summary>
    Acknowledged,

    /// <summary>QoS 0: written to a live connection.</summary>
    Sent,

    /// <summary>A newer message on the same topic replaced it before it was sent (<see cref="OutgoingMessage.ReplacesQueued"/>).</summary>
    Superseded,
}
