using EdgeRuntime.Fleet.Federated.Simulation;
using ScottPlot;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>The federated simulation's chart: validation MAE of each global version against simulated time, one line per run.</summary>
internal static class FederatedCharts
{
    private static readonly Color[] Colors = [Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"), Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f")];

    /// <summary>MAE against simulated hours per run, with optional horizontal reference lines (central, local only).</summary>
    public static ScottPlot.Plot MaeOverTime(string title, IReadOnlyList<SimulationResult> runs, IReadOnlyList<(string Label, double Mae)> references)
    {
        var plot = new ScottPlot.Plot();
        for (var i = 0; i < runs.Count; i++)
        {
            var points = runs[i].Points;
            var line = plot.Add.Scatter(points.Select(p => p.Elapsed.TotalHours).ToArray(), points.Select(p => p.ValidationMae).ToArray(), Colors[i % Colors.Length]);
            line.LegendText = runs[i].Setup.Name;
            line.LineWidth = 1.6f;
            line.MarkerSize = 3;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
        }

        var end = runs.Count == 0 ? 1 : runs.Max(r => r.Elapsed.TotalHours);
        for (var i = 0; i < references.Count; i++)
        {
            var line = plot.Add.HorizontalLine(references[i].Mae, 1.2f, Colors[(runs.Count + i) % Colors.Length], LinePattern.Dashed);
            line.LegendText = references[i].Label;
        }

        plot.Axes.SetLimitsX(0, Math.Max(end, 0.01));

        // A diverging run (an attack on the plain mean) would flatten every other line: cut the axis above the start.
        var all = runs.SelectMany(r => r.Points).Select(p => p.ValidationMae).Where(double.IsFinite).ToList();
        var start = runs.Where(r => r.Points.Count > 0).Select(r => r.Points[0].ValidationMae).DefaultIfEmpty(double.NaN).Max();
        var cut = all.Count > 0 && double.IsFinite(start) && all.Max() > 2 * start;
        if (cut)
        {
            var low = all.Concat(references.Select(r => r.Mae)).Min();
            plot.Axes.SetLimitsY(0.98 * low, 1.25 * start);
        }

        plot.Title(title);
        plot.XLabel("simulated time (hours)");
        plot.YLabel(cut ? $"validation MAE (mean over horizons; cut at {1.25 * start:0.0}, runs above diverged)" : "validation MAE (mean over horizons)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
