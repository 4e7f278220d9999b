using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Tests.Features;

public sealed class WindowFeatureBuilderTests
{
    [Fact]
    public void IntervalsPastTheWindow_OldestFirst_PaddedWithTheOldestWhileWarmingUp_StreamsApart()
    {
        var builder = new WindowFeatureBuilder(new FeatureSpec { Metrics = ["count"], Mean = [0], Std = [1], Window = 3, Target = "count", TimeEncoding = false });
        IntervalSample Interval(string stream, double count) => new(stream, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(10), new Dictionary<string, double> { ["count"] = count }, 0);

        var windows = Enumerable.Range(1, 5).Select(count => builder.Add(Interval("a", count))).ToList();
        var other = builder.Add(Interval("b", 9));

        Assert.Equal(
            [[1f, 1f, 1f], [1f, 1f, 2f], [1f, 2f, 3f], [2f, 3f, 4f], [3f, 4f, 5f]],
            windows.Select(w => w.Values));
        Assert.Equal([1, 2, 3, 3, 3], windows.Select(w => w.Filled));
        Assert.Equal([true, true, false, false, false], windows.Select(w => w.Warmup));
        Assert.Equal([9f, 9f, 9f], other.Values);
    }
}
