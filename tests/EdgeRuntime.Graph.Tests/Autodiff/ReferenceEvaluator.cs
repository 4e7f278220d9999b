using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Tests.Autodiff;

/// <summary>A tensor of the reference evaluator: every element as a double (integers too), row-major.</summary>
internal sealed record RefTensor(double[] Data, long[] Dims)
{
    public long Count => Data.Length;

    public static RefTensor Of(Tensor tensor) => new(tensor.ToDoubleArray(), [.. tensor.Dims]);

    public long[] Ints() => [.. Data.Select(v => (long)v)];
}

/// <summary>
/// A plain C# interpreter of ONNX operators in float64, written from the ONNX operator specification, independent of
/// the training graph and of ONNX Runtime. The gradient tests use it as the float64 reference for models that ONNX
/// Runtime runs only in float32 (Conv, pooling, HardSigmoid, Gelu, the shared CNNs): finite differences of its output
/// carry no float32 rounding. Only the operators and attributes those tests use are implemented; anything else throws.
/// </summary>
internal static partial class ReferenceEvaluator
{
    /// <summary>Runs the main graph on <paramref name="feeds"/> (inputs and overridden initializers); returns every value.</summary>
    public static Dictionary<string, RefTensor> Run(Model model, IReadOnlyDictionary<string, RefTensor> feeds)
    {
        var opset = model.OpsetVersion() ?? 1;
        var values = new Dictionary<string, RefTensor>(StringComparer.Ordinal);
        foreach (var initializer in model.Graph.Initializers)
        {
            values[initializer.Name] = RefTensor.Of(initializer.Initializer!);
        }

        foreach (var (name, tensor) in feeds)
        {
            values[name] = tensor;
        }

        foreach (var node in model.Graph.TopologicalOrder())
        {
            var inputs = node.Inputs.Select(i => i is null ? null : values[i.Name]).ToArray();
            var outputs = Evaluate(node, inputs, opset);
            for (var i = 0; i < outputs.Length && i < node.Outputs.Count; i++)
            {
                if (node.Outputs[i] is { } output)
                {
                    values[output.Name] = outputs[i];
                }
            }
        }

        return values;
    }

    private static RefTensor[] Evaluate(Node node, RefTensor?[] inputs, long opset)
    {
        var x = inputs.Length > 0 ? inputs[0] : null;
        RefTensor Single() => node.OpType switch
        {
            "Add" => Broadcast(inputs[0]!, inputs[1]!, (a, b) => a + b),
            "Sub" => Broadcast(inputs[0]!, inputs[1]!, (a, b) => a - b),
            "Mul" => Broadcast(inputs[0]!, inputs[1]!, (a, b) => a * b),
            "Div" => Broadcast(inputs[0]!, inputs[1]!, (a, b) => a / b),
            "Pow" => Broadcast(inputs[0]!, inputs[1]!, Math.Pow),
            "Relu" => Map(x!, v => Math.Max(v, 0)),
            "LeakyRelu" => Map(x!, v => v > 0 ? v : node.GetFloat("alpha", 0.01f) * v),
            "Sigmoid" => Map(x!, v => 1 / (1 + Math.Exp(-v))),
            "Tanh" => Map(x!, Math.Tanh),
            "Exp" => Map(x!, Math.Exp),
            "Log" => Map(x!, Math.Log),
            "Sqrt" => Map(x!, Math.Sqrt),
            "Neg" => Map(x!, v => -v),
            "Erf" => Map(x!, Erf),
            "Gelu" when node.GetString("approximate", "none") == "tanh" => Map(x!, v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v))))),
            "Gelu" => Map(x!, v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)))),
            "HardSigmoid" => Map(x!, v => Math.Clamp((node.GetFloat("alpha", 0.2f) * v) + node.GetFloat("beta", 0.5f), 0, 1)),
            "HardSwish" => Map(x!, v => v * Math.Clamp((v / 6) + 0.5, 0, 1)),
            "Clip" => Clip(node, inputs, opset),
            "Identity" or "Dropout" => x!,
            "Cast" => x!,
            "Constant" => RefTensor.Of(ConstantValues.FromConstantNode(node)!),
            "Shape" => new RefTensor([.. x!.Dims.Select(d => (double)d)], [x.Dims.Length]),
            "MatMul" => MatMul(inputs[0]!, inputs[1]!),
            "Gemm" => Gemm(node, inputs),
            "Softmax" => Softmax(node, x!, opset),
            "BatchNormalization" => BatchNormalization(node, inputs),
            "Conv" => Conv(node, inputs),
            "MaxPool" => Pool(node, x!, average: false),
            "AveragePool" => Pool(node, x!, average: true),
            "GlobalAveragePool" => GlobalAveragePool(x!),
            "Reshape" => Reshape(x!, inputs[1]!.Ints()),
            "Flatten" => Flatten(x!, node.GetInt("axis", 1)),
            "Transpose" => Transpose(x!, node.GetInts("perm")?.ToArray() ?? [.. Enumerable.Range(0, x!.Dims.Length).Reverse().Select(i => (long)i)]),
            "Unsqueeze" => Unsqueeze(x!, opset >= 13 ? inputs[1]!.Ints() : node.GetInts("axes")!.Value.ToArray()),
            "Slice" => Slice(node, inputs, opset),
            "Concat" => Concat([.. inputs.Select(i => i!)], node.GetInt("axis", 0)),
            "Gather" => Gather(x!, inputs[1]!, node.GetInt("axis", 0)),
            _ => throw new NotSupportedException($"the reference evaluator has no {node.OpType}"),
        };

        return [Single()];
    }

    /// <summary>erf in double precision: its Maclaurin series for |x| &lt; 3 (cancellation stays below 1e-12 there), 1 − erfc beyond via the continued fraction.</summary>
    public static double Erf(double x)
    {
        var a = Math.Abs(x);
        double result;
        if (a < 3)
        {
            double sum = 0, term = a;
            for (var n = 0; n < 200; n++)
            {
                var add = term / ((2 * n) + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }

                term *= -a * a / (n + 1);
            }

            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(a) = e^(−a²)/√π · 1/(a + ½/(a + 1/(a + 3/2/(a + …)))) (Lentz-free backward evaluation).
            double fraction = 0;
            for (var k = 60; k >= 1; k--)
            {
                fraction = k / 2.0 / (a + fraction);
            }

            result = 1 - (Math.Exp(-a * a) / Math.Sqrt(Math.PI) / (a + fraction));
        }

        return x < 0 ? -result : result;
    }

    private static RefTensor Map(RefTensor x, Func<double, double> f) => new([.. x.Data.Select(f)], x.Dims);

    private static RefTensor Broadcast(RefTensor a, RefTensor b, Func<double, double, double> f)
    {
        if (a.Dims.SequenceEqual(b.Dims))
        {
            var same = new double[a.Count];
            for (var i = 0; i < same.Length; i++)
            {
                same[i] = f(a.Data[i], b.Data[i]);
            }

            return new RefTensor(same, a.Dims);
        }

        if (b.Count == 1 && b.Dims.Length <= a.Dims.Length)
        {
            var scalar = b.Data[0];
            return Map(a, v => f(v, scalar));
        }

        var rank = Math.Max(a.Dims.Length, b.Dims.Length);
        var da = Pad(a.Dims, rank);
        var db = Pad(b.Dims, rank);
        var dims = da.Zip(db, (p, q) => p == 1 ? q : q == 1 || p == q ? p : throw new InvalidOperationException($"cannot broadcast [{string.Join(",", a.Dims)}] with [{string.Join(",", b.Dims)}]")).ToArray();
        var result = new double[dims.Aggregate(1L, (p, q) => p * q)];
        var index = new long[rank];
        for (var i = 0; i < result.Length; i++)
        {
            Unravel(i, dims, index);
            result[i] = f(a.Data[Offset(index, da)], b.Data[Offset(index, db)]);
        }

        return new RefTensor(result, dims);
    }

    private static long[] Pad(long[] dims, int rank) => [.. Enumerable.Repeat(1L, rank - dims.Length), .. dims];

    private static void Unravel(long flat, long[] dims, long[] index)
    {
        for (var d = dims.Length - 1; d >= 0; d--)
        {
            index[d] = flat % dims[d];
            flat /= dims[d];
        }
    }

    /// <summary>Offset of a (broadcast) index into a tensor of <paramref name="dims"/> (size-1 axes read index 0).</summary>
    private static long Offset(long[] index, long[] dims)
    {
        long offset = 0;
        for (var d = 0; d < dims.Length; d++)
        {
            offset = (offset * dims[d]) + (dims[d] == 1 ? 0 : index[d]);
        }

        return offset;
    }

    private static RefTensor Clip(Node node, RefTensor?[] inputs, long opset)
    {
        double low, high;
        if (opset >= 11)
        {
            low = inputs.Length > 1 && inputs[1] is { } l ? l.Data[0] : double.NegativeInfinity;
            high = inputs.Length > 2 && inputs[2] is { } h ? h.Data[0] : double.PositiveInfinity;
        }
        else
        {
            low = node.Attribute("min")?.Float ?? double.NegativeInfinity;
            high = node.Attribute("max")?.Float ?? double.PositiveInfinity;
        }

        return Map(inputs[0]!, v => Math.Min(Math.Max(v, low), high));
    }

    private static RefTensor Softmax(Node node, RefTensor x, long opset)
    {
        var rank = x.Dims.Length;
        var axis = (int)node.GetInt("axis", opset >= 13 ? -1 : 1);
        axis = axis < 0 ? axis + rank : axis;
        var result = new double[x.Count];
        if (opset >= 13)
        {
            var inner = x.Dims.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
            var size = x.Dims[axis];
            var outer = x.Count / (inner * size);
            for (var o = 0L; o < outer; o++)
            {
                for (var i = 0L; i < inner; i++)
                {
                    var at = Enumerable.Range(0, (int)size).Select(k => (o * size * inner) + (k * inner) + i).ToArray();
                    Normalise(x.Data, result, at);
                }
            }
        }
        else
        {
            var width = x.Dims.Skip(axis).Aggregate(1L, (a, b) => a * b);
            for (var row = 0L; row < x.Count / width; row++)
            {
                Normalise(x.Data, result, [.. Enumerable.Range(0, (int)width).Select(k => (row * width) + k)]);
            }
        }

        return new RefTensor(result, x.Dims);
    }

    private static void Normalise(double[] from, double[] to, long[] at)
    {
        var max = at.Max(i => from[i]);
        var sum = at.Sum(i => Math.Exp(from[i] - max));
        foreach (var i in at)
        {
            to[i] = Math.Exp(from[i] - max) / sum;
        }
    }

    private static RefTensor BatchNormalization(Node node, RefTensor?[] inputs)
    {
        var (x, scale, bias, mean, variance) = (inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, inputs[4]!);
        var epsilon = node.GetFloat("epsilon", 1e-5f);
        var channels = x.Dims[1];
        var inner = x.Dims.Skip(2).Aggregate(1L, (a, b) => a * b);
        var result = new double[x.Count];
        for (var i = 0L; i < x.Count; i++)
        {
            var c = i / inner % channels;
            result[i] = (scale.Data[c] * (x.Data[i] - mean.Data[c]) / Math.Sqrt(variance.Data[c] + epsilon)) + bias.Data[c];
        }

        return new RefTensor(result, x.Dims);
    }
}
