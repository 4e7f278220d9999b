using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Precision;

/// <summary>
/// Static int8 quantisation of Conv and MatMul in QDQ form, which ONNX Runtime turns into QLinearConv / QLinearMatMul
/// (its QDQ selector actions, extended level) — activation ranges come from calibration on recorded inputs:
/// <code>
/// before:  y = Conv(x, W, b)                                  [→ Relu]
/// after:   x' = DequantizeLinear(QuantizeLinear(x, sx, zx))   uint8, asymmetric, range [min(0, lo), max(0, hi)]
///          y  = Conv(x', DequantizeLinear(Wq, sw), DequantizeLinear(bq, sx·sw))   Wq int8 symmetric (per output
///               channel from opset 13), bq = round(b / (sx·sw)) in int32
///          y' = DequantizeLinear(QuantizeLinear(y, sy, zy))   [after the Relu when Conv's only reader is one: with
///               zy = 0 ONNX Runtime drops the Relu, as clamping at 0 is what uint8 with zero point 0 does]
/// </code>
/// A value read by several quantised nodes is quantised once. Graph outputs are not re-quantised (a Conv whose output
/// leaves the graph runs with dequantised inputs only). Not exact: each quantised value moves by up to half a step,
/// which the planner checks against the float original. Needs opset 10 (QuantizeLinear); models below it are left as
/// they are. The ranges are the values' names in the graph this pass runs on (<see cref="CalibrationTargets"/>).
/// </summary>
public sealed class QuantizeQdqStatic : GraphPass
{
    /// <summary>Calibrated [min, max] per value name.</summary>
    public IReadOnlyDictionary<string, (float Min, float Max)> Ranges { get; init; } = new Dictionary<string, (float Min, float Max)>();

    /// <summary>Whether weights use 7 bits (x64 without VNNI; see <see cref="Int8Weights"/>).</summary>
    public bool ReduceRange { get; init; }

    public override string Name => "quantize-qdq-static";

    public override PassKind Kind => PassKind.Precision;

    public override OptimizationLevel Level => OptimizationLevel.O3;

    public override string Description => "int8 Conv/MatMul through QuantizeLinear/DequantizeLinear pairs with calibrated activation ranges (ONNX Runtime's QLinearConv/QLinearMatMul).";

    public override bool RewritesInitializers => true;

    /// <summary>The values whose ranges the pass needs: each quantisable node's activation input and its output (after a sole Relu).</summary>
    public static IReadOnlyList<string> CalibrationTargets(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. Candidates(model, new PassContext()).SelectMany(c => new[] { c.Input.Name, c.Output.Name }).Distinct(StringComparer.Ordinal)];
    }

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if ((model.OpsetVersion() ?? 0) < 10)
        {
            context.Log?.Invoke($"{Name}: opset {model.OpsetVersion()} has no QuantizeLinear; left as it is");
            return false;
        }

        var perChannel = model.OpsetVersion() >= 13;
        var quantised = new Dictionary<Value, Value>();
        var changed = false;
        foreach (var (node, input, output) in Candidates(model, context).ToList())
        {
            if (!Ranges.ContainsKey(input.Name) || !Ranges.ContainsKey(output.Name))
            {
                continue;
            }

            var graph = node.Owner;
            var (sx, _) = Activation(Ranges[input.Name]);
            var dqInput = Quantise(graph, input, quantised, context);
            node.SetInput(0, dqInput);

            var weight = PassHelpers.Constant(node.Input(1))!;
            var isConv = node.Is("Conv");
            var channels = (int)(isConv ? weight.Dims[0] : weight.Dims[1]);
            var q = isConv
                ? Int8Weights.QuantizeRows(weight.AsSpan<float>(), channels, perChannel, ReduceRange)
                : Int8Weights.Quantize(weight.AsSpan<float>(), (int)weight.Dims[0], channels, perChannel: false, ReduceRange);
            var name = node.Output.Name;
            Ir.Attribute[] axis = q.Scales.Length > 1 ? [Ir.Attribute.FromInt("axis", 0)] : [];
            var wq = PassHelpers.AddConstant(graph, $"{name}_Wq", Tensor.FromBytes(DataType.Int8, [.. weight.Dims], q.Values.Select(v => (byte)v).ToArray()));
            var ws = PassHelpers.AddConstant(graph, $"{name}_Ws", q.Scales.Length > 1 ? Tensor.From<float>(q.Scales, q.Scales.Length) : Tensor.Scalar(q.Scales[0]));
            var wz = PassHelpers.AddConstant(graph, $"{name}_Wz", q.Scales.Length > 1 ? Tensor.From<sbyte>(new sbyte[q.Scales.Length], q.Scales.Length) : Tensor.Scalar((sbyte)0));
            var dqWeight = graph.AddNode("DequantizeLinear", [wq, ws, wz], $"{name}_W_dq", attributes: axis);
            dqWeight.Output.Type = new TensorType(DataType.Float, weight.Shape);
            node.SetInput(1, dqWeight.Output);
            context.Touch(dqWeight);

            if (isConv && PassHelpers.Constant(node.Input(2)) is { ElementType: DataType.Float } bias)
            {
                var b = bias.AsSpan<float>();
                var biasScales = q.Scales.Select(s => s * sx).ToArray();
                var bq = new int[b.Length];
                for (var c = 0; c < b.Length; c++)
                {
                    var scale = biasScales[q.Scales.Length > 1 ? c : 0];
                    bq[c] = (int)Math.Clamp(Math.Round(b[c] / scale), int.MinValue + 1, int.MaxValue);
                }

                var bqValue = PassHelpers.AddConstant(graph, $"{name}_Bq", Tensor.From<int>(bq, b.Length));
                var bs = PassHelpers.AddConstant(graph, $"{name}_Bs", q.Scales.Length > 1 ? Tensor.From<float>(biasScales, biasScales.Length) : Tensor.Scalar(biasScales[0]));
                var bz = PassHelpers.AddConstant(graph, $"{name}_Bz", q.Scales.Length > 1 ? Tensor.From<int>(new int[biasScales.Length], biasScales.Length) : Tensor.Scalar(0));
                var dqBias = graph.AddNode("DequantizeLinear", [bqValue, bs, bz], $"{name}_B_dq", attributes: axis);
                dqBias.Output.Type = new TensorType(DataType.Float, bias.Shape);
                node.SetInput(2, dqBias.Output);
                context.Touch(dqBias);
            }

            if (!output.IsGraphOutput)
            {
                Quantise(graph, output, quantised, context);
            }

            context.Touch(node);
            changed = true;
        }

        if (changed)
        {
            model.EnsureOpset(string.Empty, 13);
        }

        return changed;
    }

    private static IEnumerable<(Node Node, Value Input, Value Output)> Candidates(Model model, PassContext context)
    {
        foreach (var node in model.Graph.Nodes)
        {
            var isConv = node.Is("Conv") && PassHelpers.Constant(node.Input(1)) is { ElementType: DataType.Float, Dims.Length: >= 3 };
            var isMatMul = node.Is("MatMul") && PassHelpers.Constant(node.Input(1)) is { ElementType: DataType.Float, Dims.Length: 2 };
            if ((!isConv && !isMatMul) || node.Input(0) is not { TensorType.ElementType: DataType.Float } input || context.IsPreserved(node.Input(1)) || context.IsPreserved(node.Input(2)))
            {
                continue;
            }

            var output = node.Output;
            if (output.Uses.Count == 1 && !output.IsGraphOutput && output.Uses[0].Node is { } relu && relu.Is("Relu"))
            {
                output = relu.Output;
            }

            yield return (node, input, output);
        }
    }

    /// <summary>Q→DQ after <paramref name="value"/> (once per value); every other reader then reads the dequantised copy.</summary>
    private Value Quantise(Ir.Graph graph, Value value, Dictionary<Value, Value> quantised, PassContext context)
    {
        if (value.Producer is { } producer && producer.Is("DequantizeLinear"))
        {
            return value;
        }

        if (quantised.TryGetValue(value, out var existing))
        {
            return existing;
        }

        var (scale, zeroPoint) = Activation(Ranges[value.Name]);
        var s = PassHelpers.AddConstant(graph, $"{value.Name}_scale", Tensor.Scalar(scale));
        var z = PassHelpers.AddConstant(graph, $"{value.Name}_zero_point", Tensor.Scalar(zeroPoint));
        var q = graph.AddNode("QuantizeLinear", [value, s, z], $"{value.Name}_q");
        q.Output.Type = new TensorType(DataType.UInt8, value.TensorType?.Shape);
        var dq = graph.AddNode("DequantizeLinear", [q.Output, s, z], $"{value.Name}_dq");
        dq.Output.Type = value.Type;
        foreach (var use in value.Uses.Where(u => u.Node != q).ToList())
        {
            use.Node.SetInput(use.InputIndex, dq.Output);
        }

        context.Touch(q);
        context.Touch(dq);
        quantised[value] = dq.Output;
        return dq.Output;
    }

    /// <summary>uint8 asymmetric parameters for a range: the range widened to include 0, 255 steps, zero point where 0 falls.</summary>
    private static (float Scale, byte ZeroPoint) Activation((float Min, float Max) range)
    {
        var min = Math.Min(0, range.Min);
        var max = Math.Max(0, range.Max);
        var scale = max > min ? (max - min) / 255f : 1f;
        return (scale, (byte)Math.Clamp(MathF.Round(-min / scale), 0, 255));
    }
}
