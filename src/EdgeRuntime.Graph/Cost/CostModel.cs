using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Cost;

/// <summary>
/// Estimates per-node and per-model cost from inferred shapes: FLOPs for Conv, ConvTranspose, Gemm, MatMul,
/// attention, pooling, normalisation, element-wise ops and reductions; bytes read and written; weight bytes.
/// Run <see cref="ShapeInference"/> first; unknown shapes count as zero and are reported.
/// </summary>
public static class CostModel
{
    private static readonly HashSet<string> Views = new(StringComparer.Ordinal) { "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity", "Shape", "Size", "Constant" };

    private static readonly Dictionary<string, double> ElementwiseFlops = new(StringComparer.Ordinal)
    {
        ["Add"] = 1,
        ["Sub"] = 1,
        ["Mul"] = 1,
        ["Div"] = 1,
        ["Relu"] = 1,
        ["Neg"] = 1,
        ["Abs"] = 1,
        ["Max"] = 1,
        ["Min"] = 1,
        ["Clip"] = 2,
        ["LeakyRelu"] = 2,
        ["PRelu"] = 2,
        ["Sqrt"] = 4,
        ["Reciprocal"] = 4,
        ["Pow"] = 8,
        ["Exp"] = 8,
        ["Log"] = 8,
        ["Sigmoid"] = 8,
        ["Tanh"] = 8,
        ["Erf"] = 8,
        ["Gelu"] = 12,
        ["HardSigmoid"] = 3,
        ["HardSwish"] = 4,
        ["Softplus"] = 10,
        ["Elu"] = 8,
        ["Where"] = 1,
        ["Equal"] = 1,
        ["Less"] = 1,
        ["Greater"] = 1,
        ["Not"] = 1,
        ["Cast"] = 1,
        ["Softmax"] = 12,
        ["LogSoftmax"] = 12,
        ["BatchNormalization"] = 2,
        ["LayerNormalization"] = 8,
        ["InstanceNormalization"] = 8,
        ["SkipLayerNormalization"] = 9,
        ["BiasGelu"] = 13,
        ["FastGelu"] = 10,
        ["QuickGelu"] = 9,
    };

    /// <summary>The cost of every node and the totals, over the main graph and all subgraphs.</summary>
    public static GraphCost Estimate(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var nodes = model.Graph.SelfAndDescendants().SelectMany(g => g.Nodes).ToList();
        var costs = nodes.Select(Estimate).ToList();
        return new GraphCost(
            nodes.Count,
            model.Graph.SelfAndDescendants().Sum(g => g.Initializers.Count),
            costs.Sum(c => c.Flops),
            costs.Sum(c => c.BytesRead),
            costs.Sum(c => c.BytesWritten),
            model.Graph.SelfAndDescendants().SelectMany(g => g.Initializers).Sum(v => v.Initializer!.ByteLength),
            costs.Count(c => !c.Known));
    }

    /// <summary>The cost of one node.</summary>
    public static NodeCost Estimate(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var inputs = node.Inputs.OfType<Value>().ToList();
        var outputs = node.Outputs.OfType<Value>().ToList();
        var inputBytes = inputs.Select(Bytes).ToList();
        var outputBytes = outputs.Select(Bytes).ToList();
        var known = inputBytes.All(b => b.HasValue) && outputBytes.All(b => b.HasValue);
        var read = inputBytes.Sum(b => b ?? 0);
        var written = Views.Contains(node.OpType) ? 0 : outputBytes.Sum(b => b ?? 0);
        var parameters = inputs.Where(v => ConstantValues.Of(v) is not null).Sum(v => Bytes(v) ?? 0);
        var flops = Flops(node, out var flopsKnown);
        return new NodeCost(flops, read, written, parameters, known && flopsKnown);
    }

    private static double Flops(Node node, out bool known)
    {
        known = true;
        var output = node.Outputs.FirstOrDefault()?.TensorType?.Shape;
        var outputElements = (double?)output?.ElementCount();
        var input = node.Input(0)?.TensorType?.Shape;
        var inputElements = (double?)input?.ElementCount();
        switch (node.OpType)
        {
            case "Conv" or "ConvInteger" or "FusedConv":
                var weight = node.Input(1)?.TensorType?.Shape;
                if (outputElements is null || weight?.ElementCount() is not { } weightElements || weight.Dims[0].Value is not { } outChannels)
                {
                    known = false;
                    return 0;
                }

                // Each output element is a dot product over one filter: (C/group) × kernel multiply-adds.
                return outputElements.Value * 2 * (weightElements / outChannels);
            case "ConvTranspose":
                var filter = node.Input(1)?.TensorType?.Shape;
                if (inputElements is null || filter?.ElementCount() is not { } filterElements || filter.Dims[0].Value is not { } inChannels)
                {
                    known = false;
                    return 0;
                }

                return inputElements.Value * 2 * (filterElements / inChannels);
            case "Gemm":
                var a = node.Input(0)?.TensorType?.Shape;
                if (outputElements is null || a is not { Rank: 2 } || (node.GetInt("transA", 0) != 0 ? a.Dims[0] : a.Dims[1]).Value is not { } k)
                {
                    known = false;
                    return 0;
                }

                return outputElements.Value * ((2 * k) + (node.Inputs.Count > 2 ? 1 : 0));
            case "MatMul" or "MatMulInteger" or "MatMulNBits":
                var left = node.Input(0)?.TensorType?.Shape;
                if (outputElements is null || left is null || left.Rank == 0 || left.Dims[^1].Value is not { } inner)
                {
                    known = false;
                    return 0;
                }

                return outputElements.Value * 2 * inner;
            case "Attention" or "MultiHeadAttention" when node.Domain == "com.microsoft":
                return AttentionFlops(node, ref known);
            case "MaxPool" or "AveragePool" or "LpPool":
                var kernel = node.GetInts("kernel_shape")?.Aggregate(1L, (x, y) => x * y) ?? 1;
                known = outputElements.HasValue;
                return (outputElements ?? 0) * kernel;
            case "GlobalAveragePool" or "GlobalMaxPool" or "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" or "ReduceL2" or "ReduceSumSquare" or "ReduceProd":
                known = inputElements.HasValue;
                return inputElements ?? 0;
            case "LSTM" or "GRU" or "RNN":
                known = false;
                return 0;
            default:
                if (ElementwiseFlops.TryGetValue(node.OpType, out var perElement))
                {
                    known = outputElements.HasValue;
                    return (outputElements ?? 0) * perElement;
                }

                return 0;
        }
    }

    private static double AttentionFlops(Node node, ref bool known)
    {
        // Q·Kᵀ and weights·V over all heads: 4·B·S_q·S_kv·hidden; plus the fused input projection when present.
        var query = node.Input(0)?.TensorType?.Shape;
        var output = node.Outputs.FirstOrDefault()?.TensorType?.Shape;
        if (query is not { Rank: 3 } || output is not { Rank: 3 } || query.ElementCount() is not { } queryElements || output.Dims[2].Value is not { } hidden || query.Dims[1].Value is not { } sequence)
        {
            known = false;
            return 0;
        }

        var core = 4.0 * queryElements / query.Dims[2].Value!.Value * sequence * hidden;
        var projection = node.OpType == "Attention" && node.Input(1)?.TensorType?.Shape?.ElementCount() is { } weights ? 2.0 * queryElements / query.Dims[2].Value!.Value * weights : 0;
        return core + projection;
    }

    private static long? Bytes(Value value)
    {
        if (value.TensorType is not { } type || type.Shape?.ElementCount() is not { } count)
        {
            return null;
        }

        return type.ElementType switch
        {
            DataType.String or DataType.Undefined => 0,
            _ => DataTypes.ByteSize(type.ElementType, count),
        };
    }
}
