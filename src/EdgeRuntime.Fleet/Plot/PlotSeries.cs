namespace EdgeRuntime.Fleet.Plot;

/// <summary>
/// The series the plots draw, computed from results without drawing anything (pure, unit-tested). Times are the
/// intervals' starts, so a forecast is drawn over the interval it predicts, beside what was then observed there.
/// </summary>
internal static class PlotSeries
{
    /// <summary>Observed values of one stream by interval start, in time order.</summary>
    public static IReadOnlyList<(DateTimeOffset Time, double Value)> Observed(IEnumerable<ResultRecord> stream) =>
        [.. stream.Where(r => r.Observed is not null).Select(r => (r.Time, r.Observed!.Value)).DistinctBy(p => p.Time).OrderBy(p => p.Time)];

    /// <summary>
    /// Forecasts of one stream made <paramref name="ahead"/> intervals before the interval they are for, placed at that
    /// interval's start (the next-interval forecast of the result for 10:00–10:10 is drawn at 10:10).
    /// </summary>
    public static IReadOnlyList<(DateTimeOffset Time, double Value)> Forecast(IEnumerable<ResultRecord> stream, int ahead) =>
        [.. stream.SelectMany(r => r.Forecast).Where(f => f.Ahead == ahead).Select(f => (f.Start, f.Value)).DistinctBy(p => p.Start).OrderBy(p => p.Start)];

    /// <summary>The forecast horizons the results carry (1 = next interval), ascending.</summary>
    public static IReadOnlyList<int> Horizons(IEnumerable<ResultRecord> results) =>
        [.. results.SelectMany(r => r.Forecast).Select(f => f.Ahead).Distinct().Order()];

    /// <summary>
    /// Latency percentiles over time: results in consecutive buckets of <paramref name="bucket"/> (by time), each
    /// bucket's p50, p99 and maximum, ms (nearest rank). Buckets without results are left out.
    /// </summary>
    public static IReadOnlyList<LatencyBucket> Latency(IEnumerable<ResultRecord> results, TimeSpan bucket)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        return [.. results.Where(r => r.LatencyMs is not null)
            .GroupBy(r => r.Time.UtcTicks / bucket.Ticks)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var sorted = g.Select(r => r.LatencyMs!.Value).Order().ToArray();
                return new LatencyBucket(new DateTimeOffset(g.Key * bucket.Ticks, TimeSpan.Zero), sorted.Length, Rank(sorted, 0.5), Rank(sorted, 0.99), sorted[^1]);
            })];
    }

    /// <summary>
    /// A bucket width that gives about <paramref name="buckets"/> points over the results' span, but wide enough to hold
    /// <paramref name="perBucket"/> results on average (a p99 of three results is just their maximum); at least one second.
    /// </summary>
    public static TimeSpan BucketFor(IReadOnlyCollection<ResultRecord> results, int buckets = 60, int perBucket = 20)
    {
        if (results.Count == 0)
        {
            return TimeSpan.FromMinutes(1);
        }

        var span = (results.Max(r => r.Time) - results.Min(r => r.Time)).TotalSeconds;
        var seconds = Math.Max(span / buckets, span * perBucket / results.Count);
        return TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(seconds)));
    }

    /// <summary>
    /// The learning curve as serving sees it: mean absolute error of the next-interval forecast against the value then
    /// observed, over a trailing window of <paramref name="window"/> forecasts across all streams, with the model version
    /// that made each; beside it the same error of repeating the last observed value (the naive baseline a trained
    /// model must beat). One point per interval. Empty when there are no forecasts with observations.
    /// </summary>
    public static IReadOnlyList<ErrorPoint> ForecastError(IEnumerable<ResultRecord> results, int window = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var pairs = new List<(DateTimeOffset Time, long? Version, double Error, double NaiveError)>();
        foreach (var stream in results.GroupBy(r => r.Stream))
        {
            var byTime = stream.Where(r => r.Observed is not null).GroupBy(r => r.Time).ToDictionary(g => g.Key, g => g.First());
            foreach (var made in stream.OrderBy(r => r.Time))
            {
                if (made.Forecast.FirstOrDefault(f => f.Ahead == 1) is { } next && made.Observed is { } last && byTime.TryGetValue(next.Start, out var then))
                {
                    pairs.Add((next.Start, made.ModelVersion, Math.Abs(next.Value - then.Observed!.Value), Math.Abs(last - then.Observed!.Value)));
                }
            }
        }

        pairs.Sort((a, b) => a.Time.CompareTo(b.Time));
        var points = new List<ErrorPoint>(pairs.Count);
        double sum = 0, naive = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            sum += pairs[i].Error;
            naive += pairs[i].NaiveError;
            if (i >= window)
            {
                sum -= pairs[i - window].Error;
                naive -= pairs[i - window].NaiveError;
            }

            // One point per interval (after all streams' forecasts of it), so the line does not jitter within an interval.
            if (i + 1 < pairs.Count && pairs[i + 1].Time == pairs[i].Time && pairs[i + 1].Version == pairs[i].Version)
            {
                continue;
            }

            var n = Math.Min(i + 1, window);
            points.Add(new ErrorPoint(pairs[i].Time, pairs[i].Version, sum / n, naive / n));
        }

        return points;
    }

    private static double Rank(double[] sorted, double quantile) => sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Latency of the results in one time bucket, ms.</summary>
internal sealed record LatencyBucket(DateTimeOffset Start, int Count, double P50, double P99, double Max);

/// <summary>Trailing mean absolute error at <paramref name="Time"/> of the model and of the naive last-value forecast.</summary>
internal sealed record ErrorPoint(DateTimeOffset Time, long? ModelVersion, double MeanAbsoluteError, double NaiveMeanAbsoluteError);
