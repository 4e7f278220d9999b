using EdgeRuntime.Core.Learning;
using EdgeRuntime.Learning.OnDevice;

namespace EdgeRuntime.Learning.Tests.OnDevice;

public sealed class LabelJoinerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Observations_AtEachHorizon_BecomeNormalisedLabels_ExampleLeavesAfterTheLastHorizon()
    {
        var sink = new CollectingSink();
        var joiner = new LabelJoiner(sink);
        joiner.OnForecast(Forecast("north-1", T0, [1, 3]));

        Observe(joiner, "north-1", T0 + Interval, 6);      // horizon 1
        Observe(joiner, "north-1", T0 + (2 * Interval), 9); // no horizon
        Assert.Empty(sink.Examples);
        Observe(joiner, "south-1", T0 + (3 * Interval), 7); // another stream
        Assert.Empty(sink.Examples);
        Observe(joiner, "north-1", T0 + (3 * Interval), 2); // horizon 3, the last

        var example = Assert.Single(sink.Examples);
        Assert.Equal([2f, 0f], example.Targets); // (6 − 2) / 2 and (2 − 2) / 2
        Assert.Equal([1f, 1f], example.Weights);
        Assert.Equal(T0, example.IntervalStart);
        Assert.Equal(1, joiner.Completed);
    }

    [Fact]
    public void MissingInterval_WeightZero_StillEmittedOnceLaterTimePasses()
    {
        var sink = new CollectingSink();
        var joiner = new LabelJoiner(sink);
        joiner.OnForecast(Forecast("a", T0, [1, 3]));

        Observe(joiner, "a", T0 + Interval, 4);
        Observe(joiner, "a", T0 + (5 * Interval), 4); // horizon 3's interval never came

        var example = Assert.Single(sink.Examples);
        Assert.Equal([1f, 0f], example.Weights);
    }

    [Fact]
    public void StreamThatStopsReporting_KeepsAtMostTheCap_UnlabelledAreCountedNotEmitted()
    {
        var sink = new CollectingSink();
        var joiner = new LabelJoiner(sink) { MaxPendingPerStream = 4 };
        for (var i = 0; i < 10; i++)
        {
            joiner.OnForecast(Forecast("a", T0 + (i * Interval), [1]));
        }

        Assert.Empty(sink.Examples);
        Assert.Equal(6, joiner.Unlabelled);
    }

    private static void Observe(LabelJoiner joiner, string stream, DateTimeOffset start, double value) =>
        joiner.OnObservation(new TargetObservation("traffic", stream, start, value));

    private static ForecastRecord Forecast(string stream, DateTimeOffset start, int[] horizons) =>
        new("traffic", "traffic-forecast", 3, stream, start, Interval, new float[6], horizons, new float[horizons.Length], TargetMean: 2, TargetStd: 2);

    private sealed class CollectingSink : ILabelledExampleSink
    {
        public List<LabelledExample> Examples { get; } = [];

        public void Add(LabelledExample example) => Examples.Add(example);
    }
}
