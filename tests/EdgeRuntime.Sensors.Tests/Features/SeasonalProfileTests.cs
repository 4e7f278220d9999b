using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Tests.Features;

public sealed class SeasonalProfileTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Bins_DayAndWeek_FromTheSamplesOwnOffset()
    {
        var day = new SeasonalProfile(new SeasonalProfileSpec { Period = SeasonalPeriod.Day, Bins = 288 });
        var week = new SeasonalProfile(new SeasonalProfileSpec { Period = SeasonalPeriod.Week, Bins = 168 });

        Assert.Equal(0, day.Bin(Monday));
        Assert.Equal(12, day.Bin(Monday.AddHours(1).AddMinutes(2)));
        Assert.Equal(287, day.Bin(Monday.AddDays(3).AddMinutes(-1)));
        Assert.Equal(0, week.Bin(Monday));
        Assert.Equal(24 + 5, week.Bin(Monday.AddDays(1).AddHours(5.5)));
        Assert.Equal(167, week.Bin(Monday.AddDays(7).AddMinutes(-1)));
        Assert.Equal(12, day.Bin(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.FromHours(-5))));
    }

    [Fact]
    public void RunningMean_CappedAtMemoryPeriods_ForgetsOldDays_SmoothsAcrossNeighbours()
    {
        var profile = new SeasonalProfile(new SeasonalProfileSpec { Period = SeasonalPeriod.Day, Bins = 288, Memory = 2, Smooth = 1 });
        var five = TimeSpan.FromMinutes(5);
        Assert.Null(profile.Value(Monday));

        for (var d = 0; d < 10; d++)
        {
            profile.Observe(Monday.AddDays(d), five, d < 5 ? 10 : 20);
        }

        // Weight capped at 2 observations: after five days of 20 the mean is within 20·(1 − 2^-5) ≈ 19.7 of it.
        Assert.InRange(profile.Value(Monday.AddDays(11))!.Value, 19.6, 20);
        Assert.Equal(1.0, profile.Coverage(Monday, five), 9);
        Assert.Equal(0.0, profile.Coverage(Monday.AddHours(1), five), 9);

        // The neighbouring bin has never been seen, so a query there reads this bin through the smoothing.
        Assert.Equal(profile.Value(Monday)!.Value, profile.Value(Monday.AddMinutes(5))!.Value, 9);
        Assert.Null(profile.Value(Monday.AddMinutes(10)));
    }

    [Fact]
    public void Window_ProfileColumns_ReadAheadAndFallBackToTheCurrentValue()
    {
        var spec = new FeatureSpec
        {
            Metrics = ["count"],
            Mean = [0],
            Std = [1],
            Window = 2,
            Target = "count",
            TimeEncoding = false,
            Profile = new SeasonalProfileSpec { Period = SeasonalPeriod.Day, Bins = 288, Smooth = 0, Offsets = [0, 1] },
        };
        var builder = new WindowFeatureBuilder(spec);
        IntervalSample At(DateTimeOffset t, double count) => new("a", t, TimeSpan.FromMinutes(5), new Dictionary<string, double> { ["count"] = count }, 0);

        builder.Add(At(Monday.AddMinutes(5), 8));       // day 1, 00:05
        var window = builder.Add(At(Monday.AddDays(1), 3)); // day 2, 00:00

        Assert.Equal(4, spec.RowWidth);
        // Last row: count 3; profile at 00:00 is this day's 3; at 00:05 yesterday's 8; coverage of 00:00 is 1/7.
        Assert.Equal([3f, 3f, 8f, 1f / 7], window.Values[4..]);
        Assert.Equal(spec.ToJson(), FeatureSpec.TryParse(spec.ToJson(), out _)!.ToJson());
    }

    [Theory]
    [InlineData("[2, 3]", "the first 1")]
    [InlineData("[1, 1]", "distinct")]
    public void Spec_BadHorizons_OneLine(string horizons, string expected)
    {
        var json = $$"""{"metrics":["count"],"mean":[0],"std":[1],"window":4,"target":"count","horizons":{{horizons}}}""";
        Assert.Null(FeatureSpec.TryParse(json, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
