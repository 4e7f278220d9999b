using EdgeRuntime.Learning.Data;

namespace EdgeRuntime.Learning.Evaluation;

/// <summary>The naive forecast: every horizon repeats the last observed value. The traffic forecaster's zero point.</summary>
public sealed class LastValueForecaster : IForecaster
{
    /// <inheritdoc />
    public string Name => "repeat the last value";

    /// <inheritdoc />
    public double[] Forecast(ForecastDataset examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var forecasts = new double[examples.Count * examples.Horizons];
        for (var i = 0; i < examples.Count; i++)
        {
            forecasts.AsSpan(i * examples.Horizons, examples.Horizons).Fill(examples.LastValue(i));
        }

        return forecasts;
    }
}
