using EdgeRuntime.Pipelines.Metrics;

namespace EdgeRuntime.Pipelines.Tests.Metrics;

/// <summary>Pooling histograms: the pooled percentiles are those of every latency recorded in either.</summary>
public sealed class LatencyHistogramTests
{
    [Fact]
    public void Add_PooledPercentilesEqualOneHistogramHoldingEverySample()
    {
        var random = new Random(7);
        var (first, second, all) = (new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram());
        for (var i = 0; i < 5000; i++)
        {
            // Two different distributions: 2-3 ms, and 2-12 ms.
            var a = TimeSpan.FromMilliseconds(2 + random.NextDouble());
            var b = TimeSpan.FromMilliseconds(2 + (10 * random.NextDouble()));
            first.Record(a);
            second.Record(b);
            all.Record(a);
            all.Record(b);
        }

        var pooled = new LatencyHistogram();
        pooled.Add(first);
        pooled.Add(second);

        Assert.Equal(10_000, pooled.Count);
        foreach (var q in new[] { 0.5, 0.9, 0.99, 0.999 })
        {
            Assert.Equal(all.PercentileMs(q), pooled.PercentileMs(q));
        }

        Assert.True(pooled.PercentileMs(0.99) > first.PercentileMs(0.99), "the slower half moves the pooled tail");
        Assert.Equal(5000, first.Count);
    }
}
