using System.Collections.Immutable;

namespace EdgeRuntime.Messaging.Identity;

/// <summary>
/// The session takeovers one client id has suffered in this process (the broker closed its connection because another
/// client connected with the same id), as <see cref="TakeoverRules"/> keep them. Immutable.
/// </summary>
public sealed record TakeoverHistory
{
    /// <summary>No takeover yet.</summary>
    public static readonly TakeoverHistory None = new();

    /// <summary>Takeovers within a window of the newest one, oldest first (UTC).</summary>
    public ImmutableArray<DateTimeOffset> Recent { get; init; } = [];

    /// <summary>Every takeover since the process started.</summary>
    public int Total { get; init; }

    /// <summary>When the current conflict began; null when there is none.</summary>
    public DateTimeOffset? ConflictSince { get; init; }

    /// <summary>
    /// Connections lost since the conflict began (the takeover that began it, when it was one, included); 0 when there
    /// is none. The back-off grows with these, not with counted takeovers: from a broker that does not name a takeover,
    /// a loss is counted as one only when the other process's status is seen afterwards, which may not happen every time.
    /// </summary>
    public int LossesInConflict { get; init; }

    /// <summary>Whether the takeovers amount to a conflict (another process with the same client id).</summary>
    public bool InConflict => ConflictSince is not null;
}
