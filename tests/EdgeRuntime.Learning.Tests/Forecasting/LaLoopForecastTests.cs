using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Learning.Tests.Forecasting;

public sealed class LaLoopForecastTests(ITestOutputHelper output)
{
    [Fact]
    public void TrainedForecaster_LaLoopSpeeds_BeatsRepeatingTheLastValue()
    {
        var file = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));
        var samples = IntervalSeries.Load(new ReplayOptions { File = file, Format = RecordingFormat.Wide, Interval = TimeSpan.FromMinutes(5), Metric = "speed" });
        var spec = new FeatureSpec
        {
            Metrics = ["speed"],
            Mean = [0],
            Std = [1],
            Window = 12,
            Target = "speed",
            TimeEncoding = true,
            Horizons = [1, 3, 6, 12],
            Profile = new SeasonalProfileSpec { Period = SeasonalPeriod.Day, Bins = 288, Memory = 7, Smooth = 2, Offsets = [0, 1, 3, 6, 12] },
        };
        var setup = new ForecastExperimentSetup(spec, [new ForecasterArchitecture(64)], new TrainingOptions { Epochs = 6, Patience = 2 }, Baselines: [new SeasonalBaseline(SeasonalPeriod.Day, 288)]);

        var report = ForecastExperiment.Run(samples, setup, KernelUpdaters.Create, new Progress<string>(output.WriteLine));

        foreach (var s in report.Scores)
        {
            output.WriteLine($"{s.Forecaster}: {string.Join(" ", s.Mae.Select(m => m.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
        }

        var ratio = report.RatioToLastValue;
        output.WriteLine($"ratios {string.Join(" ", ratio.Select(r => r.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(ratio[0] < 0.97, $"5-minute MAE is {ratio[0]:0.000}× repeating the last value");
        Assert.True(ratio[3] < 0.85, $"60-minute MAE is {ratio[3]:0.000}× repeating the last value");
    }
}
