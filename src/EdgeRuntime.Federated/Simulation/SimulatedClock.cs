namespace EdgeRuntime.Federated.Simulation;

/// <summary>
/// The simulation's clock: time stands still until the simulation moves it (<see cref="AdvanceTo"/>), so a simulated
/// day of device rounds and offline spells takes as long as the computing it needs. It serves <c>GetUtcNow</c> and
/// timestamps; the parts on it (aggregator cores, simulated devices) use no timers. Thread-safe.
/// </summary>
public sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <summary>When the simulation started.</summary>
    public DateTimeOffset Start { get; } = start;

    /// <summary>Simulated time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <inheritdoc />
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward to <paramref name="time"/> (never back).</summary>
    public void AdvanceTo(DateTimeOffset time)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _ticks);
            if (time.UtcTicks <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _ticks, time.UtcTicks, current) != current);
    }
}
