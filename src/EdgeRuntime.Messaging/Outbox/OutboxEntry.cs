using EdgeRuntime.Core.Outbox;

namespace EdgeRuntime.Messaging.Outbox;

/// <summary>One stored outbox entry, as <see cref="SqliteOutbox.Pending"/> reads it.</summary>
/// <param name="Sequence">Its place in the order of adding (uploads follow it).</param>
/// <param name="Id">Its id (receipts name it).</param>
/// <param name="Channel">What it is.</param>
/// <param name="Name">The model or pipeline of its topic.</param>
/// <param name="Payload">The bytes.</param>
/// <param name="Release">When it may be deleted.</param>
/// <param name="AddedAt">When it was added (the outbox's clock).</param>
public sealed record OutboxEntry(long Sequence, string Id, OutboxChannel Channel, string Name, byte[] Payload, OutboxRelease Release, DateTimeOffset AddedAt);
