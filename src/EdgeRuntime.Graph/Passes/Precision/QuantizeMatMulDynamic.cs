using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes.Fusion;

namespace EdgeRuntime.Graph.Passes.Precision;

/// <summary>
/// int8 dynamic quantisation of MatMul/Gemm weights, in the form ONNX Runtime fuses into DynamicQuantizeMatMul
/// (MatMulIntegerToFloatFusion, then DynamicQuantizeMatMulFusion, at its extended level on the CPU):
/// <code>
/// before:  y = MatMul(a, W)                     [+ Add(·, b) with a constant bias b : [N]]
///          y = Gemm(a, W, b)                    (alpha = beta = 1, transA = 0; transB folded into W)
/// after:   (aq, as, az) = DynamicQuantizeLinear(a)          aq uint8; one per MatMul, so ORT can fuse it
///          y = Mul(Cast&lt;float&gt;(MatMulInteger(aq, Wq, az, Wz)), Mul(as, Ws))   [+ Add(·, b)]
/// </code>
/// Wq = round(W / Ws) in int8 with zero point Wz = 0 (<see cref="Int8Weights"/>): per tensor, or per column where that
/// halves the error; 7-bit when <see cref="ReduceRange"/> (x64 without VNNI, where the u8s8 kernels saturate).
/// The maths: a ≈ as·(aq − az) and W ≈ Ws·Wq, so a·W ≈ as·Ws·((aq − az)·Wq), the integer product scaled once per
/// column. Not exact: results move by the quantisation error, which the planner checks against the float original.
/// Only weights of at least <see cref="MinimumElements"/> are quantised (a small product gains nothing from int8).
/// Needs opset 11 (DynamicQuantizeLinear); older models are left as they are.
/// </summary>
public sealed class QuantizeMatMulDynamic : GraphPass
{
    /// <summary>Whether weights use 7 bits (see <see cref="Int8Weights"/>). Read from the CPU's instruction sets, never assumed.</summary>
    public bool ReduceRange { get; init; }

    /// <summary>Per channel: null chooses per weight (<see cref="Int8Weights.QuantizeBest"/>); true or false forces it.</summary>
    public bool? PerChannel { get; init; }

    /// <summary>Smallest weight (K·N) quantised. Default 4096 (a 64x64 matrix).</summary>
    public long MinimumElements { get; init; } = 4096;

    public override string Name => "quantize-matmul-dynamic";

    public override PassKind Kind => PassKind.Precision;

    public override OptimizationLevel Level => OptimizationLevel.O3;

    public override string Description => "int8 weights for MatMul/Gemm with activations quantised per run (ONNX Runtime's DynamicQuantizeMatMul).";

    public override bool RewritesInitializers => true;

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if ((model.OpsetVersion() ?? 0) < 11)
        {
            // DynamicQuantizeLinear is an opset-11 operator: ONNX Runtime refuses it in an older model (PP-OCRv4 rec is opset 9).
            context.Log?.Invoke($"{Name}: opset {model.OpsetVersion()} has no DynamicQuantizeLinear; left as it is");
            return false;
        }

        var changed = false;
        foreach (var node in PassHelpers.AllNodes(model).Where(n => n.Is("MatMul") || n.Is("Gemm")).ToList())
        {
            if (node.Owner.Nodes.Contains(node) && Match(node, context) is { } match)
            {
                Rewrite(model, node, match, context);
                changed = true;
            }
        }

        return changed;
    }

    private sealed record MatchResult(Value Input, float[] Weights, int Rows, int Columns, Value? Bias, Node? BiasAdd);

    private MatchResult? Match(Node node, PassContext context)
    {
        var a = node.Input(0);
        var w = node.Input(1);
        if (a?.TensorType is not { ElementType: DataType.Float } || context.IsPreserved(w) || PassHelpers.Constant(w) is not { ElementType: DataType.Float, Dims.Length: 2 } weight)
        {
            return null;
        }

        var (rows, columns) = ((int)weight.Dims[0], (int)weight.Dims[1]);
        var values = weight.AsSpan<float>().ToArray();
        Value? bias = null;
        Node? biasAdd = null;
        if (node.Is("Gemm"))
        {
            if (node.GetInt("transA", 0) != 0 || node.GetFloat("alpha", 1) != 1 || node.GetFloat("beta", 1) != 1 || a.TensorType.Shape?.Rank is not 2)
            {
                return null;
            }

            if (node.GetInt("transB", 0) != 0)
            {
                values = Transpose(values, rows, columns);
                (rows, columns) = (columns, rows);
            }

            bias = node.Input(2);
            if (bias is not null && !IsBias(bias, columns, context))
            {
                return null;
            }
        }
        else if (node.Output.Uses.Count == 1 && !node.Output.IsGraphOutput && node.Output.Uses[0].Node is { } add && add.Is("Add") &&
                 Patterns.Other(add, node.Output) is { } candidate && IsBias(candidate, columns, context) && PassHelpers.SameKnownShape(node.Output, add.Output))
        {
            (bias, biasAdd) = (candidate, add);
        }

        return (long)rows * columns >= MinimumElements ? new MatchResult(a, values, rows, columns, bias, biasAdd) : null;
    }

    private void Rewrite(Model model, Node node, MatchResult match, PassContext context)
    {
        var graph = node.Owner;
        var quantized = PerChannel is { } forced
            ? Int8Weights.Quantize(match.Weights, match.Rows, match.Columns, forced, ReduceRange)
            : Int8Weights.QuantizeBest(match.Weights, match.Rows, match.Columns, ReduceRange);
        var name = node.Output.Name;
        var perColumn = quantized.Scales.Length > 1;
        var wq = PassHelpers.AddConstant(graph, $"{name}_Wq", Tensor.From<sbyte>(quantized.Values, match.Rows, match.Columns));
        var ws = PassHelpers.AddConstant(graph, $"{name}_Ws", perColumn ? Tensor.From<float>(quantized.Scales, match.Columns) : Tensor.Scalar(quantized.Scales[0]));
        var wz = PassHelpers.AddConstant(graph, $"{name}_Wz", perColumn ? Tensor.From<sbyte>(new sbyte[match.Columns], match.Columns) : Tensor.Scalar((sbyte)0));

        var dq = graph.AddNode("DynamicQuantizeLinear", [match.Input], [graph.UniqueName($"{name}_aq"), graph.UniqueName($"{name}_as"), graph.UniqueName($"{name}_az")]);
        dq.Outputs[0]!.Type = new TensorType(DataType.UInt8, match.Input.TensorType?.Shape);
        dq.Outputs[1]!.Type = new TensorType(DataType.Float, TensorShape.Scalar);
        dq.Outputs[2]!.Type = new TensorType(DataType.UInt8, TensorShape.Scalar);
        var product = graph.AddNode("MatMulInteger", [dq.Outputs[0], wq, dq.Outputs[2], wz], $"{name}_int32");
        var outputType = (match.BiasAdd ?? node).Output.TensorType;
        product.Output.Type = new TensorType(DataType.Int32, node.Output.TensorType?.Shape);
        var cast = graph.AddNode("Cast", [product.Output], $"{name}_float", attributes: [Ir.Attribute.FromInt("to", (long)DataType.Float)]);
        cast.Output.Type = new TensorType(DataType.Float, node.Output.TensorType?.Shape);

        // ORT's fusion reads the scale product's inputs in this order: activation scale, then weight scale.
        var scale = graph.AddNode("Mul", [dq.Outputs[1], ws], $"{name}_scale");
        scale.Output.Type = new TensorType(DataType.Float, perColumn ? TensorShape.Of(match.Columns) : TensorShape.Scalar);
        var scaled = graph.AddNode("Mul", [cast.Output, scale.Output], $"{name}_scaled");
        scaled.Output.Type = cast.Output.Type;
        var result = scaled.Output;
        if (match.Bias is { } bias)
        {
            // The bias second: ORT folds Add(·, constant) into MatMulIntegerToFloat only from that side.
            var add = graph.AddNode("Add", [scaled.Output, bias], $"{name}_biased");
            add.Output.Type = outputType;
            result = add.Output;
            context.Touch(add);
        }

        var replaced = (match.BiasAdd ?? node).Output;
        graph.ReplaceAllUses(replaced, result);
        if (match.BiasAdd is { } biasAdd)
        {
            graph.RemoveNode(biasAdd);
        }

        graph.RemoveNode(node);
        foreach (var created in new[] { dq, product, cast, scale, scaled })
        {
            context.Touch(created);
        }

        model.EnsureOpset(string.Empty, 11);
    }

    private static bool IsBias(Value candidate, int columns, PassContext context) =>
        !context.IsPreserved(candidate) && PassHelpers.Constant(candidate) is { ElementType: DataType.Float, Dims.Length: 1 } b && b.Dims[0] == columns && columns > 1;

    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return result;
    }
}
