using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Learning.Data;

namespace EdgeRuntime.Learning.Evaluation;

/// <summary>
/// A forecasting model run by ONNX Runtime on the dataset's windows, its normalised outputs turned back into the
/// target's unit with the spec the model carries. The model's input is [batch, Window, RowWidth] and its output
/// [batch, Horizons] (or [batch, 1] for a one-horizon model). Owns its session; dispose it.
/// </summary>
public sealed class OnnxForecaster : IForecaster, IDisposable
{
    private const int BatchSize = 1024;
    private readonly ModelSession _session;
    private readonly string _input;

    /// <summary>Loads <paramref name="model"/> with ONNX Runtime.</summary>
    public OnnxForecaster(byte[] model, string name, SessionSettings? settings = null)
    {
        _session = ModelSession.Create(model, settings ?? new SessionSettings { IntraOpThreads = 1 });
        _input = _session.InputNames[0];
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public double[] Forecast(ForecastDataset examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var spec = examples.Spec;
        var target = spec.TargetColumn;
        var horizons = examples.Horizons;
        var size = examples.WindowSize;
        var forecasts = new double[examples.Count * horizons];
        for (var start = 0; start < examples.Count; start += BatchSize)
        {
            var n = Math.Min(BatchSize, examples.Count - start);
            var batch = new float[n * size];
            for (var i = 0; i < n; i++)
            {
                examples.Window(start + i).CopyTo(batch.AsSpan(i * size, size));
            }

            var output = _session.RunFloat(_input, batch, [n, spec.Window, spec.RowWidth])[0];
            var columns = (int)(output.Values.Length / n);
            for (var i = 0; i < n; i++)
            {
                for (var h = 0; h < horizons; h++)
                {
                    var normalised = output.Values[(i * columns) + Math.Min(h, columns - 1)];
                    forecasts[((start + i) * horizons) + h] = (normalised * spec.Std[target]) + spec.Mean[target];
                }
            }
        }

        return forecasts;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
