using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Learning.Tests.Evaluation;

public sealed class BaselineScoresTests
{
    [Fact]
    public void LaLoopSpeeds_NaiveBaselines_MatchThePublishedReferencePoints()
    {
        var file = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));
        var samples = IntervalSeries.Load(new ReplayOptions { File = file, Format = RecordingFormat.Wide, Interval = TimeSpan.FromMinutes(5), Metric = "speed" });
        var spec = new FeatureSpec { Metrics = ["speed"], Mean = [60], Std = [10], Window = 12, Target = "speed", TimeEncoding = true, Horizons = [1, 3, 6, 12] };
        var all = ForecastDataset.Build(spec, samples);
        var split = all.TimeAtFraction(0.8);
        var train = all.Slice(all.Span.First, split);
        var test = all.Slice(split, DateTimeOffset.MaxValue);

        var last = ForecastScores.Of(new LastValueForecaster(), test);
        var profile = ForecastScores.Of(new SeasonalMeanForecaster(train, SeasonalPeriod.Day, 288), test);

        // ../shared/NOTES.md: repeating the last value 2.66–2.67 mph at 5 min and about 5.7 at 60 min; a per-sensor
        // time-of-day profile about 4.96 at 60 min.
        Assert.InRange(last.Mae[0], 2.64, 2.68);
        Assert.InRange(last.Mae[3], 5.6, 5.75);
        Assert.InRange(profile.Mae[3], 4.85, 5.05);
    }
}
