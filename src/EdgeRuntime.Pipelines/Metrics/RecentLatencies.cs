namespace EdgeRuntime.Pipelines.Metrics;

/// <summary>
/// The last <see cref="Capacity"/> latencies in a ring, for a percentile of what serving does now (on-device training
/// pauses while it is high) rather than since start. Recording is one store; a percentile copies and sorts the ring
/// (256 values) when asked. Thread-safe; a percentile may mix values from concurrent writes, which is fine for a gate.
/// </summary>
public sealed class RecentLatencies
{
    /// <summary>Latencies kept.</summary>
    public const int Capacity = 256;

    private readonly double[] _ms = new double[Capacity];
    private long _next;

    /// <summary>Records one latency.</summary>
    public void Record(TimeSpan latency)
    {
        var slot = (Interlocked.Increment(ref _next) - 1) % Capacity;
        Volatile.Write(ref _ms[slot], latency.TotalMilliseconds);
    }

    /// <summary>The <paramref name="quantile"/> of the kept latencies, ms; null before any.</summary>
    public double? PercentileMs(double quantile)
    {
        var count = (int)Math.Min(Capacity, Interlocked.Read(ref _next));
        if (count == 0)
        {
            return null;
        }

        var copy = new double[count];
        Array.Copy(_ms, copy, count);
        Array.Sort(copy);
        return copy[Math.Clamp((int)Math.Ceiling(quantile * count) - 1, 0, count - 1)];
    }
}
