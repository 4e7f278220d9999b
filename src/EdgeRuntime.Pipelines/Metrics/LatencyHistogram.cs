namespace EdgeRuntime.Pipelines.Metrics;

/// <summary>
/// Latencies in logarithmic buckets (each 5% wider than the last, from 1 µs to beyond 10 minutes), so percentiles
/// come out within 5% at a fixed 2 KB per pipeline however many samples it records. Thread-safe and lock-free.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Growth = 1.05;
    private const int Buckets = 420;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _counts = new long[Buckets];
    private long _total;

    /// <summary>Latencies recorded.</summary>
    public long Count => Interlocked.Read(ref _total);

    /// <summary>Records one latency.</summary>
    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(1.0, latency.TotalMicroseconds);
        var bucket = Math.Min(Buckets - 1, (int)(Math.Log(micros) / LogGrowth));
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _total);
    }

    /// <summary>The latency below which <paramref name="quantile"/> of the records fall (bucket upper bound), ms; null when empty.</summary>
    public double? PercentileMs(double quantile)
    {
        var total = Count;
        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Pow(Growth, i + 1) / 1000.0;
            }
        }

        return Math.Pow(Growth, Buckets) / 1000.0;
    }
}
