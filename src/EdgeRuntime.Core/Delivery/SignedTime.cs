using System.Globalization;

namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// The newest creation time among the signed documents a device accepted (manifests, latest statements, commands), the
/// validity window of that document, and the device clock's reading when it arrived. Kept on disk, so it survives
/// restarts: it is the device's lower bound on the time when its own clock cannot be trusted.
/// </summary>
/// <param name="NewestCreatedAt">The document's <c>createdAt</c> (<c>issuedAt</c> for a command).</param>
/// <param name="Validity">Its <c>expiresAt</c> minus its creation time.</param>
/// <param name="ObservedAt">The device clock when it arrived.</param>
public sealed record SignedTimeMark(DateTimeOffset NewestCreatedAt, TimeSpan Validity, DateTimeOffset ObservedAt);

/// <summary>How the device clock stands against the signed times it has seen.</summary>
public enum ClockState
{
    /// <summary>Not behind the newest signed creation time, and that document was not already expired when it arrived.</summary>
    Ok,

    /// <summary>Earlier than the newest signed creation time: expiry is judged from that time instead.</summary>
    Behind,

    /// <summary>
    /// The newest signed document had already expired by the device clock when it arrived: the clock is ahead (fresh
    /// documents look expired), or nothing newer was signed since (a device joining a fleet whose statements lapsed).
    /// </summary>
    Ahead,
}

/// <summary>The clock's standing, for the status and one log line.</summary>
/// <param name="State">Ok, behind or ahead.</param>
/// <param name="Offset">How far behind (now) or ahead (when the newest document arrived); zero when ok.</param>
/// <param name="NewestSignedAt">The newest signed creation time seen.</param>
/// <param name="Detail">One line naming the clock, the signed time and what the device does about it; null when ok.</param>
public sealed record ClockReading(ClockState State, TimeSpan Offset, DateTimeOffset NewestSignedAt, string? Detail);

/// <summary>
/// Clock sanity from signed documents: what a device without a trusted time source can still know. Time cannot be earlier
/// than the newest creation time the fleet signed, so that time is a floor for every expiry check — a clock a year
/// behind stops accepting expired manifests and commands once a newer document has been seen. A clock ahead shows when
/// the newest document was already past its validity window on arrival. Pure and thread-safe.
/// </summary>
public static class SignedTime
{
    /// <summary>
    /// Skew between the fleet's and the device's clocks that is not reported: NTP keeps both within a second, and a
    /// document may take seconds to arrive; a minute leaves room for a slow first sync without hiding a wrong clock.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(1);

    /// <summary>The mark after a signed document created at <paramref name="createdAt"/> and valid until <paramref name="expiresAt"/> arrived at <paramref name="deviceNow"/>.</summary>
    /// <returns>The new mark when the document is newer than every one seen before; null when the mark stays as it is.</returns>
    public static SignedTimeMark? Observe(SignedTimeMark? mark, DateTimeOffset createdAt, DateTimeOffset expiresAt, DateTimeOffset deviceNow) =>
        mark is null || createdAt > mark.NewestCreatedAt
            ? new SignedTimeMark(createdAt, expiresAt > createdAt ? expiresAt - createdAt : TimeSpan.Zero, deviceNow)
            : null;

    /// <summary>The lower bound on the time that the mark gives (the minimum time when nothing was seen).</summary>
    public static DateTimeOffset Floor(SignedTimeMark? mark) => mark?.NewestCreatedAt ?? DateTimeOffset.MinValue;

    /// <summary>The time expiry is judged at: the device clock, or the floor when the clock is behind it.</summary>
    public static DateTimeOffset ExpiryNow(DateTimeOffset deviceNow, DateTimeOffset floor) => deviceNow > floor ? deviceNow : floor;

    /// <summary>How the clock at <paramref name="deviceNow"/> stands against <paramref name="mark"/>; null when nothing signed was seen.</summary>
    public static ClockReading? Judge(SignedTimeMark? mark, DateTimeOffset deviceNow)
    {
        if (mark is null)
        {
            return null;
        }

        var behind = mark.NewestCreatedAt - deviceNow;
        if (behind > Tolerance)
        {
            return new ClockReading(
                ClockState.Behind,
                behind,
                mark.NewestCreatedAt,
                $"clock behind: the device clock reads {Iso(deviceNow)}, {Span(behind)} before the newest signed document ({Iso(mark.NewestCreatedAt)}); expiry is judged from that document's time until the clock is set");
        }

        var ahead = mark.ObservedAt - mark.NewestCreatedAt;
        if (ahead > mark.Validity + Tolerance)
        {
            return new ClockReading(
                ClockState.Ahead,
                ahead,
                mark.NewestCreatedAt,
                $"clock ahead: the newest signed document (created {Iso(mark.NewestCreatedAt)}, valid {Span(mark.Validity)}) arrived when the device clock read {Iso(mark.ObservedAt)}, {Span(ahead)} later: the clock is ahead (fresh documents look expired: set the clock), or the fleet has signed nothing newer since");
        }

        return new ClockReading(ClockState.Ok, TimeSpan.Zero, mark.NewestCreatedAt, null);
    }

    private static string Iso(DateTimeOffset time) => time.ToString("u", CultureInfo.InvariantCulture);

    /// <summary>A duration in the largest whole unit that fits: <c>365 d</c>, <c>3 h</c>, <c>90 s</c>.</summary>
    private static string Span(TimeSpan span) => span.TotalDays >= 2
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0} d")
        : span.TotalHours >= 2
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} h")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s");
}
