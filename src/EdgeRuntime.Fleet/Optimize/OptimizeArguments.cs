using System.Globalization;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;

namespace EdgeRuntime.Fleet.Optimize;

/// <summary>Parsing of the optimize verb's structured arguments; errors name the option and the bad value.</summary>
internal static class OptimizeArguments
{
    /// <summary>"input_ids=1x128" → (input_ids, [1, 128]).</summary>
    public static Dictionary<string, long[]> Shapes(IEnumerable<string> values)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var text in values)
        {
            var (name, dims) = Split(text, "--shape", "NAME=1x3x224x224");
            var parts = dims.Split('x', 'X', ',');
            var sizes = new long[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]))
                {
                    throw new ArgumentException($"--shape {text}: '{parts[i]}' is not a size; allowed: NAME=1x3x224x224");
                }
            }

            if (!shapes.TryAdd(name, sizes))
            {
                throw new ArgumentException($"--shape: input '{name}' is given twice");
            }
        }

        return shapes;
    }

    /// <summary>"sr=16000" → a scalar of the input's element type (read from the model).</summary>
    public static Dictionary<string, Tensor> FixedInputs(IEnumerable<string> values, Model model)
    {
        var fixedInputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var text in values)
        {
            var (name, literal) = Split(text, "--fixed-input", "NAME=VALUE");
            var input = model.Graph.Inputs.FirstOrDefault(i => i.Name == name && i.Initializer is null)
                ?? throw new ArgumentException($"--fixed-input {text}: the model has no input '{name}'");
            var type = input.TensorType?.ElementType ?? DataType.Undefined;
            fixedInputs[name] = type switch
            {
                DataType.Int64 when long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => Tensor.Scalar(l),
                DataType.Int32 when int.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => Tensor.Scalar(i),
                DataType.Float when float.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) => Tensor.Scalar(f),
                DataType.Double when double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => Tensor.Scalar(d),
                DataType.Bool when bool.TryParse(literal, out var b) => Tensor.Scalar(b),
                _ => throw new ArgumentException($"--fixed-input {text}: '{literal}' is not a {DataTypes.Name(type)} scalar for input '{name}'"),
            };
        }

        return fixedInputs;
    }

    /// <summary>
    /// One recorded input set from a folder of TensorProto files: either named by input ("input_ids.pb") or in
    /// the ONNX backend suite's layout (input_0.pb, input_1.pb … in the model's input order).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Sample(string folder, Model model)
    {
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"--sample {folder}: no such folder");
        }

        var inputs = model.Graph.Inputs.Where(i => i.Initializer is null).Select(i => i.Name).ToList();
        var sample = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var named = Path.Combine(folder, $"{inputs[i]}.pb");
            var ordered = Path.Combine(folder, $"input_{i}.pb");
            var file = File.Exists(named) ? named : File.Exists(ordered) ? ordered : null;
            if (file is null)
            {
                throw new ArgumentException($"--sample {folder}: no file for input '{inputs[i]}' ({inputs[i]}.pb or input_{i}.pb)");
            }

            sample[inputs[i]] = OnnxTensorReader.Read(file).Tensor;
        }

        return sample;
    }

    private static (string Name, string Value) Split(string text, string option, string form)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == text.Length - 1)
        {
            throw new ArgumentException($"{option} {text}: expected {form}");
        }

        return (text[..equals], text[(equals + 1)..]);
    }
}
