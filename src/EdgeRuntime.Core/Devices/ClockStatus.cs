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
/// The device's latest clock reading against signed time: delivery writes it when a newer signed document arrives,
/// the presence publisher reads it into the status. Thread-safe.
/// </summary>
public sealed class ClockStatusBoard
{
    private Delivery.ClockReading? _reading;

    /// <summary>Raised after the reading changed. Handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>The reading, or null before any signed document was accepted.</summary>
    public Delivery.ClockReading? Reading => Volatile.Read(ref _reading);

    /// <summary>Replaces the reading.</summary>
    public void Report(Delivery.ClockReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var before = Interlocked.Exchange(ref _reading, reading);
        if (before != reading)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>The reading as the status shows it at <paramref name="deviceTime"/>; null before any signed document was accepted.</summary>
    public ClockStatus? Snapshot(DateTimeOffset deviceTime) => Reading is not { } reading
        ? null
        : new ClockStatus(
            reading.State.ToString().ToLowerInvariant(),
            deviceTime,
            reading.NewestSignedAt,
            reading.State == Delivery.ClockState.Behind ? (long)reading.Offset.TotalSeconds : null,
            reading.State == Delivery.ClockState.Ahead ? (long)reading.Offset.TotalSeconds : null,
            reading.Detail);
}
