using EdgeRuntime.Learning.Data;

namespace EdgeRuntime.Learning.Evaluation;

/// <summary>Something that forecasts every horizon of a dataset's examples, in the target metric's unit.</summary>
public interface IForecaster
{
    /// <summary>A short name for tables ("model v3", "last value").</summary>
    string Name { get; }

    /// <summary>Forecasts for every example of <paramref name="examples"/>: Count × Horizons values, example-major.</summary>
    double[] Forecast(ForecastDataset examples);
}
