using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Folds a per-channel constant multiplication or addition after a Conv or Gemm into its weights and bias.
/// <code>
/// before:  y = Add(Mul(Conv(x, W, B), s), c)      s, c : [1, M, 1, 1] or scalars
/// after:   y = Conv(x, W·s, B·s + c)
/// before:  y = Add(Gemm(a, W, C), c)               c : [N] or [1, N]
/// after:   y = Gemm(a, W, C + c)
/// </code>
/// Exact up to rounding: output channel m of a Conv (column n of a Gemm) is linear in filter m (column n) and
/// bias m (n), so scaling or shifting it equals scaling the filter and bias or shifting the bias. Only
/// constants that vary along the channel axis alone qualify; anything that would broadcast the output wider
/// does not, and neither does a pattern that reads a preserved initializer.
/// </summary>
public sealed class FuseConvScaleBias : GraphPass
{
    public override string Name => "fuse-conv-gemm-scale-bias";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O2;

    public override bool RewritesInitializers => true;

    public override string Description => "Folds constant per-channel Mul/Add after Conv or Gemm into weights and bias.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var node in PassHelpers.AllNodes(model))
        {
            if (!(node.Is("Mul") || node.Is("Add")) || node.Owner.Nodes.Contains(node) is false)
            {
                continue;
            }

            changed |= TryFuse(node, context);
        }

        return changed;
    }

    private static bool TryFuse(Node op, PassContext context)
    {
        for (var side = 0; side < 2; side++)
        {
            var producer = op.Input(side)?.Producer;
            var constant = PassHelpers.Constant(op.Input(1 - side));
            if (producer is null || constant is null || producer.Output.Uses.Count != 1 || producer.Output.IsGraphOutput || context.ReadsPreserved(op, producer))
            {
                continue;
            }

            if (producer.Is("Conv") && FuseIntoConv(op, producer, constant, context))
            {
                return true;
            }

            if (producer.Is("Gemm") && FuseIntoGemm(op, producer, constant, context))
            {
                return true;
            }
        }

        return false;
    }

    private static bool FuseIntoConv(Node op, Node conv, Tensor constant, PassContext context)
    {
        var weight = PassHelpers.Constant(conv.Input(1));
        var bias = conv.Input(2) is null ? null : PassHelpers.Constant(conv.Input(2));
        var outputRank = conv.Output.TensorType?.Shape?.Rank;
        if (weight is null || (conv.Input(2) is not null && bias is null) || outputRank is null || !ChannelConstants.CanRefold(weight.ElementType) ||
            constant.ElementType != weight.ElementType || !PassHelpers.SameKnownShape(conv.Output, op.Output))
        {
            return false;
        }

        var channels = weight.Dims[0];
        if (ChannelConstants.PerChannel(constant, outputRank.Value, 1, channels) is not { } values)
        {
            return false;
        }

        var w = weight.ToDoubleArray();
        var b = bias?.ToDoubleArray() ?? new double[channels];
        if (op.Is("Mul"))
        {
            var perFilter = w.Length / channels;
            for (var i = 0; i < w.Length; i++)
            {
                w[i] *= values[i / perFilter];
            }

            for (var m = 0; m < channels; m++)
            {
                b[m] *= values[m];
            }
        }
        else
        {
            for (var m = 0; m < channels; m++)
            {
                b[m] += values[m];
            }
        }

        var graph = conv.Owner;
        var newWeight = op.Is("Mul") ? PassHelpers.AddConstant(graph, $"{conv.Name}_weight_scaled", ChannelConstants.FromDoubles(weight.ElementType, w, [.. weight.Dims])) : conv.Input(1)!;
        var newBias = PassHelpers.AddConstant(graph, $"{conv.Name}_bias_fused", ChannelConstants.FromDoubles(weight.ElementType, b, [channels]));
        Replace(op, conv, [conv.Input(0), newWeight, newBias], context);
        return true;
    }

    private static bool FuseIntoGemm(Node op, Node gemm, Tensor constant, PassContext context)
    {
        var weight = PassHelpers.Constant(gemm.Input(1));
        var output = gemm.Output.TensorType?.Shape;
        if (weight is null || output is not { Rank: 2, IsFullyKnown: true } || !ChannelConstants.CanRefold(weight.ElementType) ||
            constant.ElementType != weight.ElementType || !PassHelpers.SameKnownShape(gemm.Output, op.Output) ||
            gemm.GetFloat("alpha", 1f) != 1f || gemm.GetFloat("beta", 1f) != 1f)
        {
            return false;
        }

        var columns = output.Dims[1].Value!.Value;
        if (ChannelConstants.PerChannel(constant, 2, 1, columns) is not { } values)
        {
            return false;
        }

        double[] c;
        if (gemm.Input(2) is { } existing)
        {
            if (PassHelpers.Constant(existing) is not { } cTensor || ChannelConstants.PerChannel(cTensor, 2, 1, columns) is not { } cValues)
            {
                return false;
            }

            c = cValues;
        }
        else
        {
            c = new double[columns];
        }

        var graph = gemm.Owner;
        Value newWeight = gemm.Input(1)!;
        if (op.Is("Mul"))
        {
            // Column n of the product scales with column n of B (row n when transB).
            var w = weight.ToDoubleArray();
            var transB = gemm.GetInt("transB", 0) != 0;
            var (rows, cols) = (weight.Dims[0], weight.Dims[1]);
            for (var r = 0; r < rows; r++)
            {
                for (var col = 0; col < cols; col++)
                {
                    w[(r * cols) + col] *= values[transB ? r : col];
                }
            }

            newWeight = PassHelpers.AddConstant(graph, $"{gemm.Name}_weight_scaled", ChannelConstants.FromDoubles(weight.ElementType, w, [rows, cols]));
            c = [.. c.Select((v, i) => v * values[i])];
        }
        else
        {
            c = [.. c.Select((v, i) => v + values[i])];
        }

        var newBias = PassHelpers.AddConstant(graph, $"{gemm.Name}_bias_fused", ChannelConstants.FromDoubles(weight.ElementType, c, [columns]));
        Replace(op, gemm, [gemm.Input(0), newWeight, newBias], context);
        return true;
    }

    private static void Replace(Node op, Node producer, IReadOnlyList<Value?> inputs, PassContext context)
    {
        var graph = producer.Owner;
        var fused = graph.AddNode(producer.OpType, inputs, $"{op.Output.Name}_fused", attributes: producer.Attributes);
        fused.Output.Type = op.Output.Type;
        graph.ReplaceAllUses(op.Output, fused.Output);
        graph.RemoveNode(op);
        graph.RemoveNode(producer);
        context.Touch(fused);
    }
}
