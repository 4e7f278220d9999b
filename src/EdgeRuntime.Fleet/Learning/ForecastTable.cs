using System.Globalization;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Sensors.Features;
using Spectre.Console;

namespace EdgeRuntime.Fleet.Learning;

/// <summary>A table of test MAE per horizon, each forecaster's ratio to repeating the last value beside it.</summary>
internal static class ForecastTable
{
    public static void Write(IAnsiConsole console, FeatureSpec spec, IReadOnlyList<ForecastScores> scores)
    {
        var table = new Table().Title($"test MAE ({spec.Target})");
        table.AddColumn("forecaster");
        foreach (var h in spec.Horizons)
        {
            table.AddColumn(new TableColumn($"+{h}").RightAligned());
        }

        var naive = scores.FirstOrDefault(s => s.Forecaster == new LastValueForecaster().Name);
        foreach (var score in scores)
        {
            var cells = new List<string> { Markup.Escape(score.Forecaster) };
            for (var k = 0; k < score.Mae.Count; k++)
            {
                var ratio = naive is null || ReferenceEquals(score, naive) ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ({score.Mae[k] / naive.Mae[k]:0.000}×)");
                cells.Add(string.Create(CultureInfo.InvariantCulture, $"{score.Mae[k]:0.000}{ratio}"));
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);
    }
}
