using System.Globalization;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Learning.Tests.Forecasting;

public sealed class I94ForecastTests(ITestOutputHelper output)
{
    [Fact]
    public void TrainedForecaster_I94Volumes_BeatsTheHourOfWeekMean()
    {
        var file = SharedModels.RequireData(Path.Combine("i94-traffic-volume", "Metro_Interstate_Traffic_Volume.csv"));
        var samples = IntervalSeries.Load(new ReplayOptions { File = file, Format = RecordingFormat.Long, Interval = TimeSpan.FromHours(1), TimestampColumn = "date_time", Metrics = ["traffic_volume"] }, "i94");
        var spec = new FeatureSpec
        {
            Metrics = ["traffic_volume"],
            Mean = [0],
            Std = [1],
            Window = 24,
            Target = "traffic_volume",
            TimeEncoding = true,
            Horizons = [1, 3, 6, 12],
            Profile = new SeasonalProfileSpec { Period = SeasonalPeriod.Week, Bins = 168, Memory = 26, Smooth = 0, Offsets = [0, 1, 3, 6, 12] },
        };
        var setup = new ForecastExperimentSetup(spec, [new ForecasterArchitecture(64)], new TrainingOptions { Epochs = 20, Patience = 3 }, TestFrom: new DateTimeOffset(2017, 7, 1, 0, 0, 0, TimeSpan.Zero), Baselines: [new SeasonalBaseline(SeasonalPeriod.Week, 168)]);

        var report = ForecastExperiment.Run(samples, setup, KernelUpdaters.Create, new Progress<string>(output.WriteLine));

        foreach (var s in report.Scores)
        {
            output.WriteLine($"{s.Forecaster}: {string.Join(" ", s.Mae.Select(m => m.ToString("0.0", CultureInfo.InvariantCulture)))}");
        }

        var howMean = report.Scores[2];
        var ratio = report.Scores[0].Mae[0] / howMean.Mae[0];
        output.WriteLine($"1-hour MAE {report.Scores[0].Mae[0]:0.0} vs hour-of-week mean {howMean.Mae[0]:0.0}: {ratio:0.000}×");
        Assert.True(ratio < 0.9, $"1-hour MAE is {ratio:0.000}× the hour-of-week mean");
    }
}
