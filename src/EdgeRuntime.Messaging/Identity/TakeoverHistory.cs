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

    /// <summary>Takeovers since the conflict began, the one that began it included; 0 when there is none.</summary>
    public int TakeoversInConflict { get; init; }

    /// <summary>Whether the takeovers amount to a conflict (another process with the same client id).</summary>
    public bool InConflict => ConflictSince is not null;
}
