namespace EdgeRuntime.Core.Outbox;

/// <summary>When an outbox entry has been delivered and may be deleted.</summary>
public enum OutboxRelease
{
    /// <summary>
    /// Only when the receiving application's receipt for the entry's id arrives. A broker's PUBACK is not
    /// durability (a broker without persistence, or one killed before it saved, forgets it), so anything whose
    /// loss would be counted wrongly — a federated update — waits for the receiver's own word.
    /// </summary>
    OnReceipt,

    /// <summary>When the broker acknowledges it (QoS 1): for results, which survive a device restart this way but have no single receiver to confirm them.</summary>
    OnBrokerAcknowledgement,
}
