namespace EdgeRuntime.Core.Outbox;

/// <summary>
/// The port through which code that must not lose what it sends (federated updates, results, an aggregator's partial
/// sums) reaches the transport without knowing it: <see cref="Add"/> returns once the message is on disk (committed and
/// flushed); the transport uploads entries in the order they were added and deletes each only on its
/// <see cref="OutboxRelease"/>. Implementations are thread-safe.
/// </summary>
public interface IDurableOutbox
{
    /// <summary>Adds <paramref name="message"/> durably; returns its sequence number (the existing one for a repeated id).</summary>
    /// <exception cref="ArgumentException">The message's id or name is not allowed (<see cref="OutboxMessage.Check"/>).</exception>
    /// <exception cref="OutboxFullException">The outbox holds its maximum number of entries.</exception>
    long Add(OutboxMessage message);

    /// <summary>The accounting for <paramref name="channel"/>.</summary>
    OutboxCounts Counts(OutboxChannel channel);
}
