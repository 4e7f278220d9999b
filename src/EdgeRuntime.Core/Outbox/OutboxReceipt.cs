namespace EdgeRuntime.Core.Outbox;

/// <summary>A receiver's word on one outbox entry: the entry with <paramref name="Id"/> may be deleted.</summary>
/// <param name="Id">The entry's id.</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Reason">Why, for <see cref="OutboxOutcome.Rejected"/> and <see cref="OutboxOutcome.Expired"/>; null otherwise.</param>
public readonly record struct OutboxReceipt(string Id, OutboxOutcome Outcome, string? Reason = null);
