using EdgeRuntime.Pipelines.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Pipelines.Tests.Metrics;

public sealed class SlidingLatencyWindowTests
{
    [Fact]
    public void PercentileMs_ColdStartSample_StopsCountingAfterTheWindow()
    {
        var time = new FakeTimeProvider();
        var window = new SlidingLatencyWindow(time, TimeSpan.FromSeconds(60));
        window.Record(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 99; i++)
        {
            window.Record(TimeSpan.FromMilliseconds(1));
        }

        // One slow sample in a hundred: it is the p99 while it is in the window.
        Assert.InRange(window.RecentP99Ms!.Value, 1.0, 1.05);
        Assert.InRange(window.PercentileMs(1.0)!.Value, 2000, 2100);

        // A minute on, with steady 1 ms traffic, the cold start no longer counts (a since-start histogram keeps it).
        for (var second = 0; second < 70; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            window.Record(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(window.PercentileMs(1.0)!.Value, 1.0, 1.05);
        Assert.InRange(window.Count, 50, 60);
    }

    [Fact]
    public void PercentileMs_NothingRecentlyRecorded_Null()
    {
        var time = new FakeTimeProvider();
        var window = new SlidingLatencyWindow(time, TimeSpan.FromSeconds(60));
        Assert.Null(window.RecentP99Ms);
        window.Record(TimeSpan.FromMilliseconds(3));
        Assert.NotNull(window.RecentP99Ms);
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(window.RecentP99Ms);
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void PercentileMs_UniformLatencies_WithinTheBucketResolution()
    {
        var window = new SlidingLatencyWindow(new FakeTimeProvider());
        for (var ms = 1; ms <= 1000; ms++)
        {
            window.Record(TimeSpan.FromMilliseconds(ms));
        }

        // Buckets are 5% wide and report their upper bound: the true value ≤ reported ≤ 1.05 × true.
        Assert.InRange(window.PercentileMs(0.5)!.Value, 500, 525);
        Assert.InRange(window.RecentP99Ms!.Value, 990, 1040);
    }

    [Fact]
    public void Record_FourThreads_EveryRecordCounted()
    {
        var window = new SlidingLatencyWindow(new FakeTimeProvider());
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                window.Record(TimeSpan.FromMicroseconds(100 + i % 50));
            }
        });
        Assert.Equal(40_000, window.Count);
    }

    [Fact]
    public void RecentP99Ms_PipelineCounters_ReadsTheSlidingWindow()
    {
        var time = new FakeTimeProvider();
        var counters = new PipelineCounters(time);
        counters.RecordLatency(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMinutes(2));
        counters.RecordLatency(TimeSpan.FromMilliseconds(2));

        Assert.InRange(counters.RecentP99Ms!.Value, 2, 2.1);
        Assert.InRange(counters.Latency.PercentileMs(0.99)!.Value, 1000, 1050);
    }
}
