using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// Min/max calibration for static int8: runs the float32 model (ONNX Runtime, no graph rewrites, so every named value
/// exists) on recorded inputs with the values of interest exposed as outputs, and keeps each value's range over all
/// of them. The range always includes 0, so zero is exactly representable (padding, ReLU).
/// </summary>
public static class ActivationCalibration
{
    /// <summary>The [min, max] of each of <paramref name="values"/> (names in <paramref name="model"/>) over <paramref name="samples"/>.</summary>
    /// <exception cref="ArgumentException">No samples were given.</exception>
    public static IReadOnlyDictionary<string, (float Min, float Max)> Ranges(Model model, IReadOnlyList<string> values, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> samples)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("calibration needs at least one recorded input set", nameof(samples));
        }

        // A copy with the values as outputs; the model itself is left as it is.
        var copy = OnnxModelReader.Read(OnnxModelWriter.ToBytes(model), "calibration", null);
        var exposed = new List<string>();
        foreach (var name in values.Distinct(StringComparer.Ordinal))
        {
            if (copy.Graph.FindValue(name) is { } value && !value.IsGraphOutput)
            {
                copy.Graph.AddOutput(value);
            }

            exposed.Add(name);
        }

        var ranges = new Dictionary<string, (float Min, float Max)>(StringComparer.Ordinal);
        using var session = ModelSession.Create(OnnxModelWriter.ToBytes(copy), new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL });
        foreach (var sample in samples)
        {
            var outputs = session.Run(sample.Where(i => session.InputNames.Contains(i.Key)).ToDictionary(), exposed);
            foreach (var name in exposed)
            {
                var data = outputs[name].ToDoubleArray();
                var (min, max) = ranges.GetValueOrDefault(name, (0f, 0f));
                foreach (var v in data.Where(double.IsFinite))
                {
                    min = Math.Min(min, (float)v);
                    max = Math.Max(max, (float)v);
                }

                ranges[name] = (min, max);
            }
        }

        return ranges;
    }
}
