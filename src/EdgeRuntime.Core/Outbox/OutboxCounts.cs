namespace EdgeRuntime.Core.Outbox;

/// <summary>
/// An outbox's accounting since it was created (kept in the outbox's own file, so it survives restarts):
/// <c>Added = Pending + Accepted + Duplicate + Expired + Rejected + Delivered</c> for every channel.
/// </summary>
/// <param name="Added">Entries ever added (a repeated id counts once).</param>
/// <param name="Pending">Entries still waiting for their release.</param>
/// <param name="Accepted">Released by an "accepted" receipt.</param>
/// <param name="Duplicate">Released by a "duplicate" receipt.</param>
/// <param name="Expired">Released by an "expired" receipt.</param>
/// <param name="Rejected">Released by a "rejected" receipt.</param>
/// <param name="Delivered">Released by the broker's acknowledgement.</param>
/// <param name="Sends">Publishes made, resends included.</param>
public sealed record OutboxCounts(long Added, long Pending, long Accepted, long Duplicate, long Expired, long Rejected, long Delivered, long Sends)
{
    /// <summary>No entries.</summary>
    public static OutboxCounts Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);
}
