using System.Globalization;

namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// The replay rule for signed commands: a device carries out each nonce once, across restarts. A command whose nonce it
/// admitted before is refused (<see cref="RefusalCode.Replayed"/>) and answered with the first result; so is one it
/// cannot tell apart from a replay because the nonces it could be confused with were dropped (expired) or lost. Pure
/// and thread-safe; the caller keeps <see cref="CommandHistory"/> on disk and applies the rule under its own lock.
/// </summary>
public static class CommandReplay
{
    /// <summary>Why the command with <paramref name="nonce"/> is a replay, or null when it is new.</summary>
    /// <param name="history">What the device remembers.</param>
    /// <param name="nonce">The command's nonce.</param>
    /// <param name="issuedAt">Its signed issue time.</param>
    /// <param name="expiresAt">Its signed expiry.</param>
    /// <param name="version">The version it names, for the refusal (0 when none).</param>
    public static Refusal? Check(CommandHistory history, string nonce, DateTimeOffset issuedAt, DateTimeOffset expiresAt, long version)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Admitted.TryGetValue(nonce, out var first))
        {
            return new Refusal(
                RefusalCode.Replayed,
                version,
                first.Answered
                    ? $"command refused: nonce {Short(nonce)} was carried out at {Iso(first.AdmittedAt)}; a command is carried out once (its first result is in 'first')"
                    : $"command refused: nonce {Short(nonce)} was admitted at {Iso(first.AdmittedAt)} and the daemon stopped before it was answered; a command is carried out once");
        }

        if (expiresAt <= history.ForgottenThrough)
        {
            return new Refusal(RefusalCode.Replayed, version, $"command refused: it expires at {Iso(expiresAt)}, no later than commands whose nonces this device has dropped ({Iso(history.ForgottenThrough)}), so a replay could not be told apart");
        }

        return issuedAt < history.StartsAt
            ? new Refusal(RefusalCode.Replayed, version, $"command refused: it was issued at {Iso(issuedAt)}, before {Iso(history.StartsAt)} when this device's record of commands was found damaged and restarted, so a replay could not be told apart")
            : null;
    }

    /// <summary>The history with <paramref name="nonce"/> admitted at <paramref name="now"/>.</summary>
    public static CommandHistory Admit(CommandHistory history, string nonce, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(history);
        var admitted = new Dictionary<string, AdmittedCommand>(history.Admitted, StringComparer.Ordinal) { [nonce] = new AdmittedCommand(nonce, expiresAt, now, false) };
        return history with { Admitted = admitted };
    }

    /// <summary>
    /// Drops the nonces of commands expired at <paramref name="expiryNow"/> (they are refused as expired anyway) and
    /// raises <see cref="CommandHistory.ForgottenThrough"/> to the latest expiry dropped, so that a clock set back later
    /// still cannot admit one of them.
    /// </summary>
    public static CommandHistory Prune(CommandHistory history, DateTimeOffset expiryNow)
    {
        ArgumentNullException.ThrowIfNull(history);
        var expired = history.Admitted.Values.Where(c => c.ExpiresAt < expiryNow).ToList();
        if (expired.Count == 0)
        {
            return history;
        }

        var kept = history.Admitted.Values.Where(c => c.ExpiresAt >= expiryNow).ToDictionary(c => c.Nonce, StringComparer.Ordinal);
        var forgotten = expired.Max(c => c.ExpiresAt);
        return history with { Admitted = kept, ForgottenThrough = forgotten > history.ForgottenThrough ? forgotten : history.ForgottenThrough };
    }

    private static string Short(string nonce) => nonce.Length <= 12 ? nonce : nonce[..12] + "…";

    private static string Iso(DateTimeOffset time) => time.ToString("u", CultureInfo.InvariantCulture);
}
