namespace EdgeRuntime.Testing;

/// <summary>
/// The system clock moved by a fixed offset: a device whose clock is wrong (a year behind, a month ahead) while its
/// timers and timeouts run in real time, so a test against a real broker still progresses (a frozen fake clock would
/// stall every wait). Thread-safe.
/// </summary>
/// <param name="offset">Added to the system clock's time.</param>
public sealed class ShiftedTimeProvider(TimeSpan offset) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
