using EdgeRuntime.Fleet.Plot;

namespace EdgeRuntime.Fleet.Tests.Plot;

public sealed class PlotSeriesTests
{
    private static List<ResultRecord> Records(int streams, int intervals, bool horizons = false) =>
        [.. Enumerable.Range(0, streams).SelectMany(s => Enumerable.Range(0, intervals).Select(i => ResultRecord.Parse(RecordedResults.Json(s, i, horizons: horizons))!))];

    [Theory]
    [InlineData("2026-01-05T07:45:00Z", "2026-01-05T07:47:30Z", "HH:mm:ss")]
    [InlineData("2026-01-05T07:45:00Z", "2026-01-05T07:59:59Z", "HH:mm:ss")]
    [InlineData("2026-01-05T07:45:00Z", "2026-01-05T08:00:00Z", "HH:mm")]
    [InlineData("2026-01-05T00:00:00Z", "2026-01-05T23:59:00Z", "HH:mm")]
    [InlineData("2026-01-05T23:58:00Z", "2026-01-06T00:01:00Z", "MM-dd HH:mm")]
    public void TimeLabelFormat_SecondsForMinutesOfData_DatesAcrossDays(string first, string last, string expected)
    {
        Assert.Equal(expected, Charts.TimeLabelFormat(DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(last, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Parse_ForecastDocument_ObservedAndNextIntervalForecast()
    {
        var record = ResultRecord.Parse(RecordedResults.Json(1, 4, version: 3, latencyMs: 1.25))!;

        Assert.Equal("lane-1", record.Stream);
        Assert.Equal(RecordedResults.Start + (4 * RecordedResults.Interval), record.Time);
        Assert.Equal(3, record.ModelVersion);
        Assert.Equal(1.25, record.LatencyMs);
        Assert.Equal("count", record.Metric);
        Assert.Equal(RecordedResults.Count(1, 4), record.Observed);
        var next = Assert.Single(record.Forecast);
        Assert.Equal((1, RecordedResults.Start + (5 * RecordedResults.Interval), RecordedResults.Count(1, 5)), (next.Ahead, next.Start, next.Value));
    }

    [Fact]
    public void Parse_DocumentWithHorizons_EveryHorizonOnce()
    {
        var record = ResultRecord.Parse(RecordedResults.Json(0, 10, horizons: true))!;
        Assert.Equal([1, 3, 6, 12], record.Forecast.Select(f => f.Ahead));
        Assert.Equal(RecordedResults.Start + (22 * RecordedResults.Interval), record.Forecast.Single(f => f.Ahead == 12).Start);
    }

    [Theory]
    [InlineData("""{"stream":"a"}""", false)]
    [InlineData("""{"interval":{"start":"2026-01-05T06:00:00Z"}}""", false)]
    [InlineData("""{"stream":"a","interval":{"start":"2026-01-05T06:00:00Z"},"forecast":"soon"}""", true)]
    [InlineData("not json", false)]
    public void Parse_OddDocuments_NullOrEmptyFieldsNeverThrow(string json, bool readable)
    {
        var record = ResultRecord.Parse(json);
        Assert.Equal(readable, record is not null);
        Assert.Empty(record?.Forecast ?? []);
    }

    [Fact]
    public void Forecast_PlacedAtTheIntervalItPredicts_LinesUpWithObserved()
    {
        var stream = Records(1, 30);

        var observed = PlotSeries.Observed(stream);
        var forecast = PlotSeries.Forecast(stream, 1);

        // The recorded forecasts are exact: at every time both series have, they hold the same value.
        var shared = observed.Join(forecast, o => o.Time, f => f.Time, (o, f) => (o.Value, Forecast: f.Value)).ToList();
        Assert.Equal(29, shared.Count);
        Assert.All(shared, p => Assert.Equal(p.Value, p.Forecast));
        Assert.Equal(RecordedResults.Start + RecordedResults.Interval, forecast[0].Time);
    }

    [Fact]
    public void Forecast_Horizons_EachAheadAtItsOwnInterval()
    {
        var stream = Records(1, 30, horizons: true);
        Assert.Equal([1, 3, 6, 12], PlotSeries.Horizons(stream));
        var twelve = PlotSeries.Forecast(stream, 12);
        Assert.Equal(RecordedResults.Start + (12 * RecordedResults.Interval), twelve[0].Time);
        Assert.Equal(RecordedResults.Count(0, 12), twelve[0].Value);
    }

    [Fact]
    public void Latency_Buckets_NearestRankPercentiles()
    {
        var results = Enumerable.Range(1, 100).Select(i => ResultRecord.Parse(RecordedResults.Json(0, 0, latencyMs: i))!).ToList();

        var bucket = Assert.Single(PlotSeries.Latency(results, TimeSpan.FromMinutes(1)));
        Assert.Equal((100, 50.0, 99.0, 100.0), (bucket.Count, bucket.P50, bucket.P99, bucket.Max));
    }

    [Fact]
    public void BucketFor_FewResults_WideEnoughForAMeaningfulP99()
    {
        // 4 streams × 40 intervals of 5 min (195 min): 60 buckets would hold under 3 results each; 20 each needs ~24.4 min.
        var results = Records(4, 40);
        Assert.Equal(TimeSpan.FromSeconds(1463), PlotSeries.BucketFor(results));
    }

    [Fact]
    public void ForecastError_ExactForecasts_ZeroAndTheBaselineIsNot()
    {
        var points = PlotSeries.ForecastError(Records(2, 40), window: 10);

        // One point per interval forecast (39 of them), both streams counted in each.
        Assert.Equal(39, points.Count);
        Assert.All(points, p => Assert.Equal(0, p.MeanAbsoluteError, 9));
        Assert.True(points[^1].NaiveMeanAbsoluteError > 1);
        Assert.All(points, p => Assert.Equal(0, p.ModelVersion));
    }
}
