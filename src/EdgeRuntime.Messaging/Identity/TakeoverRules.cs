using EdgeRuntime.Messaging.Configuration;

namespace EdgeRuntime.Messaging.Identity;

/// <summary>
/// Tells a client id shared by two processes from an unlucky link. Pure functions over <see cref="TakeoverHistory"/>:
/// <list type="bullet">
/// <item>a conflict begins at the takeover that makes <see cref="ClientIdConflictOptions.Takeovers"/> within
/// <see cref="ClientIdConflictOptions.WindowSeconds"/> (one takeover is what a daemon restarted before its broker noticed
/// the old connection gone looks like; several in a minute are not);</item>
/// <item>the first connection lost in a conflict (usually the takeover that makes it) is answered at once: that reconnect
/// takes the connection back once more, so
/// the other process, running the same rules, also counts its conflict-making takeover, and whichever of the two then
/// holds the connection reports the conflict (otherwise the one left connected could show a healthy device for a whole
/// back-off);</item>
/// <item>after the n-th connection lost in a conflict (n ≥ 2) the reconnect waits
/// <see cref="ClientIdConflictOptions.BackOffSeconds"/> × 2^(n−2), at most
/// <see cref="ClientIdConflictOptions.MaxBackOffSeconds"/> — the other side does the same, so the pair settles to a
/// takeover every few minutes instead of several a second;</item>
/// <item>it ends only when a connection has lasted a whole window, not when takeovers merely thin out: the back-off
/// itself thins them out, and the other process is still there.</item>
/// </list>
/// </summary>
public static class TakeoverRules
{
    /// <summary>The history after a takeover at <paramref name="at"/>.</summary>
    public static TakeoverHistory Record(TakeoverHistory history, DateTimeOffset at, ClientIdConflictOptions options)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        var window = TimeSpan.FromSeconds(options.WindowSeconds);
        var recent = history.Recent.RemoveAll(t => at - t >= window).Add(at);
        var conflictSince = history.ConflictSince ?? (recent.Length >= options.Takeovers ? at : null);
        return history with { Recent = recent, Total = history.Total + 1, ConflictSince = conflictSince };
    }

    /// <summary>The history after a connection was lost (a takeover already <see cref="Record"/>ed, or a close without a reason).</summary>
    public static TakeoverHistory Lost(TakeoverHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return history.InConflict ? history with { LossesInConflict = history.LossesInConflict + 1 } : history;
    }

    /// <summary>
    /// The history at <paramref name="now"/> for a connection up since <paramref name="connectedAt"/>: once it has
    /// lasted a whole window, the takeovers before it are forgotten and any conflict is over.
    /// </summary>
    public static TakeoverHistory Settle(TakeoverHistory history, DateTimeOffset connectedAt, DateTimeOffset now, ClientIdConflictOptions options)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        if (history.Recent.IsEmpty || now - connectedAt < TimeSpan.FromSeconds(options.WindowSeconds))
        {
            return history;
        }

        return history with { Recent = [], ConflictSince = null, LossesInConflict = 0 };
    }

    /// <summary>
    /// How long to wait before reconnecting after the latest lost connection: null when there is no conflict, zero after
    /// the first loss in it.
    /// </summary>
    public static TimeSpan? BackOff(TakeoverHistory history, ClientIdConflictOptions options)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        if (!history.InConflict)
        {
            return null;
        }

        if (history.LossesInConflict <= 1)
        {
            return TimeSpan.Zero;
        }

        // 2^(n−2) stops growing long before it could overflow: the cap is reached by n = 18 for any allowed setting.
        var doublings = Math.Min(history.LossesInConflict - 2, 16);
        var seconds = Math.Min((double)options.BackOffSeconds * (1L << doublings), options.MaxBackOffSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
