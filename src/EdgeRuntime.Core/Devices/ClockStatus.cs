using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Devices;

/// <summary>
/// The device clock against the signed times it has seen (<c>clock</c> in the status; docs/protocol.md). Absent until a
/// signed document was accepted.
/// </summary>
/// <param name="State"><c>ok</c>, <c>behind</c> or <c>ahead</c>.</param>
/// <param name="DeviceTime">The device clock when the status was written.</param>
/// <param name="NewestSignedAt">The newest creation time among the signed documents accepted: the floor for expiry checks.</param>
/// <param name="BehindSeconds">With <c>behind</c>: how far the clock is behind <paramref name="NewestSignedAt"/>.</param>
/// <param name="AheadSeconds">With <c>ahead</c>: how far ahead of the newest document the clock was when it arrived.</param>
/// <param name="Detail">With <c>behind</c> and <c>ahead</c>: one line saying what is wrong and what the device does.</param>
public sealed record ClockStatus(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("deviceTime")] DateTimeOffset DeviceTime,
    [property: JsonPropertyName("newestSignedAt")] DateTimeOffset NewestSignedAt,
    [property: JsonPropertyName("behindSeconds")] long? BehindSeconds = null,
    [property: JsonPropertyName("aheadSeconds")] long? AheadSeconds = null,
    [property: JsonPropertyName("detail")] string? Detail = null);

/// <summary>
/// The newest signed time the device has accepted, for the status: delivery reports it when a newer signed document
/// arrives, the presence publisher judges the clock against it whenever it writes the status (so a clock set right in
/// the meantime shows as such at the next refresh). Thread-safe.
/// </summary>
public sealed class ClockStatusBoard
{
    private Delivery.SignedTimeMark? _mark;

    /// <summary>Raised after the mark changed. Handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>The mark, or null before any signed document was accepted.</summary>
    public Delivery.SignedTimeMark? Mark => Volatile.Read(ref _mark);

    /// <summary>Replaces the mark.</summary>
    public void Report(Delivery.SignedTimeMark mark)
    {
        ArgumentNullException.ThrowIfNull(mark);
        if (Interlocked.Exchange(ref _mark, mark) != mark)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>The clock as the status shows it at <paramref name="deviceTime"/>; null before any signed document was accepted.</summary>
    public ClockStatus? Snapshot(DateTimeOffset deviceTime) => Delivery.SignedTime.Judge(Mark, deviceTime) is not { } reading
        ? null
        : new ClockStatus(
            reading.State.ToString().ToLowerInvariant(),
            deviceTime,
            reading.NewestSignedAt,
            reading.State == Delivery.ClockState.Behind ? (long)reading.Offset.TotalSeconds : null,
            reading.State == Delivery.ClockState.Ahead ? (long)reading.Offset.TotalSeconds : null,
            reading.Detail);
}
