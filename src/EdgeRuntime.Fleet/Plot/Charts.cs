using System.Globalization;
using ScottPlot;

namespace EdgeRuntime.Fleet.Plot;

/// <summary>
/// The charts of <c>edgectl plot</c>, drawn with ScottPlot and saved as PNG or SVG.
/// </summary>
internal static class Charts
{
    private static readonly Color ObservedColor = Color.FromHex("#1f77b4");
    private static readonly Color[] ForecastColors = [Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2")];

    /// <summary>Forecast against observed for one stream: the next-interval forecast, and each further horizon dashed.</summary>
    public static ScottPlot.Plot Forecast(string pipeline, string stream, IReadOnlyList<ResultRecord> results)
    {
        var plot = new ScottPlot.Plot();
        var metric = results.Select(r => r.Metric).FirstOrDefault(m => m is not null) ?? "value";
        var observed = PlotSeries.Observed(results);
        var line = plot.Add.Scatter(X(observed), Y(observed), ObservedColor);
        line.LegendText = $"observed {metric}";

        // Wider than the forecasts drawn over it, so a forecast that matches exactly still shows the observation around it.
        line.LineWidth = 4;
        line.MarkerSize = 6;

        var horizons = PlotSeries.Horizons(results);
        for (var i = 0; i < horizons.Count; i++)
        {
            var forecast = PlotSeries.Forecast(results, horizons[i]);
            var series = plot.Add.Scatter(X(forecast), Y(forecast), ForecastColors[i % ForecastColors.Length]);
            series.LegendText = horizons[i] == 1 ? "forecast of the next interval" : $"forecast {horizons[i]} intervals ahead";
            series.LineWidth = horizons[i] == 1 ? 1.8f : 1.5f;
            series.MarkerSize = horizons[i] == 1 ? 4 : 0;
            series.LinePattern = horizons[i] == 1 ? LinePattern.Solid : LinePattern.Dashed;
        }

        TimeAxis(plot, [.. observed.Select(p => p.Time)]);
        plot.Title($"{pipeline} / {stream}: forecast of {metric} against what was observed");
        plot.XLabel("interval start (UTC)");
        plot.YLabel($"{metric} per interval");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>p50, p99 and maximum latency per time bucket.</summary>
    public static ScottPlot.Plot Latency(string pipeline, IReadOnlyList<LatencyBucket> buckets, TimeSpan bucket)
    {
        var plot = new ScottPlot.Plot();
        var times = buckets.Select(b => b.Start.UtcDateTime.ToOADate()).ToArray();
        // The maximum first, wide and pale: where a bucket's max equals its p99 (few samples) it shows as a band around
        // the p99 line instead of vanishing under it.
        var max = AddLine(plot, times, [.. buckets.Select(b => b.Max)], "max", Color.FromHex("#7f7f7f").WithAlpha(0.45), LinePattern.Solid);
        max.LineWidth = 6;
        AddLine(plot, times, [.. buckets.Select(b => b.P50)], "p50", Color.FromHex("#1f77b4"), LinePattern.Solid);
        AddLine(plot, times, [.. buckets.Select(b => b.P99)], "p99", Color.FromHex("#d62728"), LinePattern.Solid);
        TimeAxis(plot, [.. buckets.Select(b => b.Start)]);
        plot.Axes.SetLimitsY(0, Math.Max(0.01, buckets.Count == 0 ? 1 : buckets.Max(b => b.P99) * 1.5));
        plot.Title($"{pipeline}: latency, sample ready to result ready (per {Describe(bucket)})");
        plot.XLabel("time (UTC)");
        plot.YLabel("ms");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Trailing forecast error by model version, beside the naive last-value forecast.</summary>
    public static ScottPlot.Plot ForecastError(string pipeline, IReadOnlyList<ErrorPoint> points, int window)
    {
        var plot = new ScottPlot.Plot();
        var versions = points.Select(p => p.ModelVersion).Distinct().ToList();
        for (var i = 0; i < versions.Count; i++)
        {
            var mine = points.Where(p => p.ModelVersion == versions[i]).ToList();
            AddLine(plot, [.. mine.Select(p => p.Time.UtcDateTime.ToOADate())], [.. mine.Select(p => p.MeanAbsoluteError)],
                $"model v{versions[i]?.ToString(CultureInfo.InvariantCulture) ?? "?"}", ForecastColors[i % ForecastColors.Length], LinePattern.Solid);
        }

        AddLine(plot, [.. points.Select(p => p.Time.UtcDateTime.ToOADate())], [.. points.Select(p => p.NaiveMeanAbsoluteError)], "repeat the last interval (baseline)", Color.FromHex("#7f7f7f"), LinePattern.Dashed);
        TimeAxis(plot, [.. points.Select(p => p.Time)]);
        plot.Title($"{pipeline}: forecast error over time (mean absolute error of the last {window} next-interval forecasts)");
        plot.XLabel("interval start (UTC)");
        plot.YLabel("mean absolute error");

        // Below the data, not in a corner: both errors end at their latest value, top right, where a legend hid them.
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    /// <summary>Training loss (and validation loss) by step, per model.</summary>
    public static ScottPlot.Plot Learning(IReadOnlyList<LearningPoint> points)
    {
        var plot = new ScottPlot.Plot();
        var models = points.GroupBy(p => p.Model).ToList();
        for (var i = 0; i < models.Count; i++)
        {
            var steps = models[i].Select(p => (double)p.Step).ToArray();
            AddLine(plot, steps, [.. models[i].Select(p => p.Loss)], $"{models[i].Key} training loss", ForecastColors[i % ForecastColors.Length], LinePattern.Solid);
            var validated = models[i].Where(p => p.ValidationLoss is not null).ToList();
            if (validated.Count > 0)
            {
                AddLine(plot, [.. validated.Select(p => (double)p.Step)], [.. validated.Select(p => p.ValidationLoss!.Value)], $"{models[i].Key} validation loss", ForecastColors[i % ForecastColors.Length], LinePattern.Dashed);
            }
        }

        plot.Title("learning curves");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Saves as PNG or SVG by the file's extension.</summary>
    public static void Save(ScottPlot.Plot plot, string path, int width, int height)
    {
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
        {
            plot.SaveSvg(path, width, height);
        }
        else
        {
            plot.SavePng(path, width, height);
        }
    }

    /// <summary>Time ticks as people read them (UTC): see <see cref="TimeLabelFormat"/>.</summary>
    private static void TimeAxis(ScottPlot.Plot plot, IReadOnlyList<DateTimeOffset> times)
    {
        var axis = plot.Axes.DateTimeTicksBottom();
        var format = times.Count == 0 ? "HH:mm" : TimeLabelFormat(times.Min(), times.Max());
        if (axis.TickGenerator is ScottPlot.TickGenerators.DateTimeAutomatic automatic)
        {
            automatic.LabelFormatter = time => time.ToString(format, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The tick label format for data from <paramref name="first"/> to <paramref name="last"/>: "01-05 07:45" across
    /// days, "07:45:30" within a quarter of an hour (ticks there fall seconds apart, and minutes alone would repeat the
    /// same label under several ticks), "07:45" otherwise.
    /// </summary>
    internal static string TimeLabelFormat(DateTimeOffset first, DateTimeOffset last)
    {
        if (first.UtcDateTime.Date != last.UtcDateTime.Date)
        {
            return "MM-dd HH:mm";
        }

        return last - first < TimeSpan.FromMinutes(15) ? "HH:mm:ss" : "HH:mm";
    }

    private static ScottPlot.Plottables.Scatter AddLine(ScottPlot.Plot plot, double[] xs, double[] ys, string label, Color color, LinePattern pattern)
    {
        var line = plot.Add.Scatter(xs, ys, color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = 0;
        line.LinePattern = pattern;
        return line;
    }

    private static double[] X(IReadOnlyList<(DateTimeOffset Time, double Value)> series) => [.. series.Select(p => p.Time.UtcDateTime.ToOADate())];

    private static double[] Y(IReadOnlyList<(DateTimeOffset Time, double Value)> series) => [.. series.Select(p => p.Value)];

    private static string Describe(TimeSpan bucket) =>
        bucket.TotalSeconds < 60 ? $"{bucket.TotalSeconds:0} s" : bucket.TotalMinutes < 60 ? $"{bucket.TotalMinutes:0.#} min" : $"{bucket.TotalHours:0.#} h";
}
