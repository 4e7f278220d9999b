using EdgeRuntime.Testing.Models;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Models;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Replay;

namespace EdgeRuntime.Pipelines.Tests.Runtime;

public sealed class ReplayPipelineTests
{
    [Fact]
    public async Task LaLoopSpeeds_At100x_OneResultPerSensorPerInterval_NoneSkippedOrRepeated()
    {
        var file = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));
        const int Intervals = 4;
        var replay = new ReplayOptions { File = file, Format = RecordingFormat.Wide, Metric = "speedMph", Interval = TimeSpan.FromMinutes(5), Speed = 100, MaxIntervals = Intervals };
        var spec = new FeatureSpec { Metrics = ["speedMph"], Mean = [60], Std = [10], Window = 12, Target = "speedMph" };
        var options = new PipelineOptions { Name = "la", Model = new() { Name = "la-speed" }, Stage = new() { Type = StageKind.Forecast } };
        await using var rig = PipelineRig.Create(options, ForecastModelBuilder.Build(spec));
        var recording = CsvRecording.Load(replay, "la");
        var source = new ReplaySource("la", recording, replay, TimeProvider.System);

        var started = TimeProvider.System.GetTimestamp();
        await source.RunAsync(rig.Pipeline, TestContext.Current.CancellationToken);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        await rig.DrainAsync();

        // 4 intervals of 5 minutes at 100× is 12 s of playback: the source kept the recording's pace.
        Assert.InRange(elapsed.TotalSeconds, 11.5, 30);
        var sensors = File.ReadLines(file).First().Split(',');
        Assert.Equal(150, sensors.Length);
        var results = rig.Results.Documents.ToList();
        Assert.Equal(150 * Intervals, results.Count);
        var keys = results.Select(r => (r.GetProperty("stream").GetString(), r.GetProperty("interval").GetProperty("start").GetDateTimeOffset())).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        var expectedStarts = Enumerable.Range(0, Intervals).Select(k => replay.Start + (replay.Interval * k)).ToList();
        foreach (var sensor in sensors)
        {
            Assert.Equal(expectedStarts, keys.Where(k => k.Item1 == sensor).Select(k => k.Item2).Order().ToList());
        }

        // The forecast of the built-in model is the mean of the last four speeds seen; the first one repeats itself.
        var firstRow = File.ReadLines(file).Skip(1).First().Split(',');
        var first = results.First(r => r.GetProperty("stream").GetString() == sensors[0] && r.GetProperty("interval").GetProperty("start").GetDateTimeOffset() == replay.Start);
        Assert.Equal(double.Parse(firstRow[0], System.Globalization.CultureInfo.InvariantCulture), first.GetProperty("forecast").GetProperty("value").GetDouble(), 2);
        Assert.Equal(1, first.GetProperty("model").GetProperty("version").GetInt64());
        Assert.Equal(150 * Intervals, rig.Store.Read("la").Count);
        Assert.Equal(0, rig.Pipeline.Counters.Dropped + rig.Pipeline.Counters.Failed);
    }
}
