using System.Diagnostics;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Federated.Tests.Probe;

public sealed class ProbeTests(ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        var watch = Stopwatch.StartNew();
        var file = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));
        var samples = IntervalSeries.Load(new ReplayOptions { File = file, Format = RecordingFormat.Wide, Interval = TimeSpan.FromMinutes(5), Metric = "speed" });
        output.WriteLine($"load {watch.ElapsedMilliseconds} ms, {samples.Count} samples");
        var spec = new FeatureSpec
        {
            Metrics = ["speed"],
            Mean = [60],
            Std = [10],
            Window = 12,
            Target = "speed",
            TimeEncoding = true,
            Horizons = [1, 3, 6, 12],
            Profile = new SeasonalProfileSpec { Period = SeasonalPeriod.Day, Bins = 288, Memory = 7, Smooth = 2, Offsets = [0, 1, 3, 6, 12] },
        };
        watch.Restart();
        var all = ForecastDataset.Build(spec, samples);
        output.WriteLine($"build {watch.ElapsedMilliseconds} ms, {all.Count} examples, row width {spec.RowWidth}");
        var model = TrafficForecasterBuilder.Build(spec, new ForecasterArchitecture(64));
        var request = new TrainingRequest(TrafficForecasterBuilder.AllParameters);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, ValidationFraction = 0, Schedule = LearningRateSchedule.Constant };
        for (var d = 0; d < 6; d++)
        {
            var mine = d % 2 == 0 ? all.OfStream(d) : all.OfStream(d).Range(0, 64);
            watch.Restart();
            var result = new Trainer(KernelUpdaters.Create).Train(model, request, new ForecastTrainingData(mine), options, cancellationToken: TestContext.Current.CancellationToken);
            output.WriteLine($"device {d}: {mine.Count} examples, train {watch.ElapsedMilliseconds} ms, {result.Steps} steps");
        }
    }
}
