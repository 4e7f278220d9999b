namespace EdgeRuntime.Pipelines.Metrics;

/// <summary>
/// Latencies since start in logarithmic buckets (each 5% wider than the last, from 1 µs to beyond 10 minutes), so
/// percentiles come out within 5% at a fixed 3.4 KB per pipeline however many samples it records. Thread-safe and
/// lock-free. For percentiles of the recent past use <see cref="SlidingLatencyWindow"/>.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Buckets per histogram.</summary>
    internal const int BucketCount = 420;

    private const double Growth = 1.05;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _counts = new long[BucketCount];
    private long _total;

    /// <summary>Latencies recorded.</summary>
    public long Count => Interlocked.Read(ref _total);

    /// <summary>Records one latency.</summary>
    public void Record(TimeSpan latency)
    {
        Interlocked.Increment(ref _counts[BucketOf(latency)]);
        Interlocked.Increment(ref _total);
    }

    /// <summary>Adds every latency <paramref name="other"/> holds (for percentiles over several runs pooled).</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        long added = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            var count = Interlocked.Read(ref other._counts[i]);
            Interlocked.Add(ref _counts[i], count);
            added += count;
        }

        Interlocked.Add(ref _total, added);
    }

    /// <summary>The latency below which <paramref name="quantile"/> of the records fall (bucket upper bound), ms; null when empty.</summary>
    public double? PercentileMs(double quantile)
    {
        var total = Count;
        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return UpperBoundMs(i);
            }
        }

        return UpperBoundMs(BucketCount - 1);
    }

    /// <summary>The bucket a latency falls in: ⌊log₁.₀₅(µs)⌋, clamped to the last bucket.</summary>
    internal static int BucketOf(TimeSpan latency)
    {
        var micros = Math.Max(1.0, latency.TotalMicroseconds);
        return Math.Min(BucketCount - 1, (int)(Math.Log(micros) / LogGrowth));
    }

    /// <summary>A bucket's upper bound, ms.</summary>
    internal static double UpperBoundMs(int bucket) => Math.Pow(Growth, bucket + 1) / 1000.0;
}
