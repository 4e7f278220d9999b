using System.Collections.Concurrent;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Tests.Stages;

public sealed class ForecastStageHorizonTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ShippedForecaster_ResultsCarryEveryHorizon_ObserverGetsObservationsAndWindowedForecasts()
    {
        var model = File.ReadAllBytes(Path.Combine(TestEnvironment.RepositoryRoot, "configs", "models", "traffic-forecast.onnx"));
        var observer = new RecordingObserver();
        var options = new PipelineOptions { Name = "traffic", Model = new() { Name = "traffic-forecast" }, Stage = new() { Type = StageKind.Forecast } };
        await using var rig = PipelineRig.Create(options, model, observer: observer);

        // The live line names the serving version before the first result (it said "v-" while v1 already served).
        Assert.StartsWith("traffic [waiting for the first sample, v1] ", rig.Pipeline.LiveLine(), StringComparison.Ordinal);

        const int Intervals = 15;
        for (var k = 0; k < Intervals; k++)
        {
            foreach (var lane in new[] { "north-1", "south-1" })
            {
                var values = new Dictionary<string, double> { ["count"] = (k % 4) + (lane == "north-1" ? 1 : 3), ["occupancy"] = 0.1, ["speedKmh"] = 45 };
                rig.Pipeline.Offer(new IntervalSample(lane, Start + (k * Interval), Interval, values, TimeProvider.System.GetTimestamp()));
            }

            await rig.DrainAsync();
        }

        var last = rig.Results.Documents.Last(r => r.GetProperty("stream").GetString() == "north-1");
        var forecast = last.GetProperty("forecast");
        var horizons = forecast.GetProperty("horizons").EnumerateArray().ToList();
        Assert.Equal([1, 3, 6, 12], horizons.Select(h => h.GetProperty("ahead").GetInt32()));
        var lastStart = Start + ((Intervals - 1) * Interval);
        Assert.Equal(lastStart + (6 * Interval), horizons[2].GetProperty("start").GetDateTimeOffset());
        Assert.Equal(forecast.GetProperty("value").GetDouble(), horizons[0].GetProperty("value").GetDouble());

        // Every interval's target is observed; forecasts come once a stream's window is full (12 intervals), with the window.
        Assert.Equal(2 * Intervals, observer.Observations.Count);
        var forecasts = observer.Forecasts.Where(f => f.Stream == "north-1").OrderBy(f => f.IntervalStart).ToList();
        Assert.Equal(Intervals - 11, forecasts.Count);
        Assert.All(forecasts, f => Assert.Equal(12 * 13, f.Window.Length));
        Assert.Equal([1, 3, 6, 12], forecasts[^1].Horizons);
        Assert.Equal(forecast.GetProperty("value").GetDouble(), Math.Max(0, (forecasts[^1].Forecast[0] * forecasts[^1].TargetStd) + forecasts[^1].TargetMean), 3);
    }

    private sealed class RecordingObserver : IForecastObserver
    {
        public ConcurrentQueue<TargetObservation> Observations { get; } = new();

        public ConcurrentQueue<ForecastRecord> Forecasts { get; } = new();

        public void OnObservation(in TargetObservation observation) => Observations.Enqueue(observation);

        public void OnForecast(ForecastRecord forecast) => Forecasts.Enqueue(forecast);
    }
}
