using EdgeRuntime.Learning.Data;

namespace EdgeRuntime.Learning.Evaluation;

/// <summary>Mean absolute error of one forecaster per horizon, in the target metric's unit.</summary>
/// <param name="Forecaster">Its name.</param>
/// <param name="Horizons">Intervals ahead, as in the spec.</param>
/// <param name="Mae">MAE per horizon over the examples whose target was observed.</param>
/// <param name="Counts">Examples scored per horizon.</param>
public sealed record ForecastScores(string Forecaster, IReadOnlyList<int> Horizons, IReadOnlyList<double> Mae, IReadOnlyList<long> Counts)
{
    /// <summary>Scores <paramref name="forecaster"/> on <paramref name="examples"/>.</summary>
    public static ForecastScores Of(IForecaster forecaster, ForecastDataset examples)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(examples);
        var forecasts = forecaster.Forecast(examples);
        var spec = examples.Spec;
        var target = spec.TargetColumn;
        var h = examples.Horizons;
        var sum = new double[h];
        var count = new long[h];
        for (var i = 0; i < examples.Count; i++)
        {
            var targets = examples.Target(i);
            var weights = examples.Weight(i);
            for (var k = 0; k < h; k++)
            {
                if (weights[k] > 0)
                {
                    var observed = (targets[k] * spec.Std[target]) + spec.Mean[target];
                    sum[k] += Math.Abs(forecasts[(i * h) + k] - observed);
                    count[k]++;
                }
            }
        }

        return new ForecastScores(forecaster.Name, spec.Horizons, [.. sum.Select((s, k) => count[k] > 0 ? s / count[k] : double.NaN)], count);
    }

    /// <summary>This forecaster's MAE relative to <paramref name="baseline"/>'s, per horizon (0.9 = 10% lower).</summary>
    public IReadOnlyList<double> RelativeTo(ForecastScores baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return [.. Mae.Select((m, k) => m / baseline.Mae[k])];
    }
}
