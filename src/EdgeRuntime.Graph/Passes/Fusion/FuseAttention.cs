using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Replaces a BERT-style multi-head self-attention block with ONNX Runtime's fused com.microsoft.Attention.
/// <code>
/// before:  q = h·Wq + bq   k = h·Wk + bk   v = h·Wv + bv                      (each Reshape [B,S,n,d] → Transpose)
///          p = Softmax(q·kᵀ / c + (1 − Cast(mask))·f)    o = Reshape(Transpose(p·v), [B,S,n·d])
/// after:   o = Attention(h, [Wq|Wk|Wv], [bq|bk|bv], Cast(mask, int32); num_heads=n, scale=1/c, mask_filter_value=f)
/// </code>
/// Exact up to rounding: Attention computes softmax(Q·Kᵀ·scale + (1 − mask)·mask_filter_value)·V per head with
/// Q, K, V = h·W + b taken from the packed weights, which is the block above. Needs fixed shapes (run
/// specialize-shapes first: the head split must be a constant Reshape), float32, and a target with ONNX
/// Runtime's contrib kernels (CPU, CUDA). The three projections must read the same input, and no projection weight
/// or bias may be preserved (they are packed into new initializers).
/// </summary>
public sealed class FuseAttention : GraphPass
{
    public override string Name => "fuse-attention";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O3;

    public override bool RewritesInitializers => true;

    public override string Description => "Replaces Q/K/V projection → scaled dot product → mask → Softmax → weighted sum with com.microsoft.Attention.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Target.SupportsMicrosoftContribOps)
        {
            return false;
        }

        var masks = new Dictionary<Value, Value>();
        var changed = false;
        foreach (var softmax in model.Graph.Nodes.Where(n => n.Is("Softmax")).ToList())
        {
            if (model.Graph.Nodes.Contains(softmax) && Match(softmax) is { } block &&
                !context.ReadsPreserved(block.Query.MatMul, block.Query.BiasAdd, block.Key.MatMul, block.Key.BiasAdd, block.Value.MatMul, block.Value.BiasAdd))
            {
                Rewrite(model, block, masks, context);
                changed = true;
            }
        }

        return changed;
    }

    private sealed record Block(
        Value Hidden,
        Projection Query,
        Projection Key,
        Projection Value,
        int Heads,
        double Scale,
        Value? MaskSource,
        double MaskFilter,
        Node Output);

    private sealed record Projection(Node MatMul, Node BiasAdd, Tensor Weight, Tensor Bias);

    private static Block? Match(Node softmax)
    {
        var scores = softmax.Input(0)?.TensorType?.Shape;
        if (scores is not { Rank: 4, IsFullyKnown: true } || softmax.Output.TensorType?.ElementType != DataType.Float ||
            softmax.GetInt("axis", -1) is not (-1 or 3) || softmax.Output.Uses.Count != 1)
        {
            return null;
        }

        // p = Softmax(scaled [+ mask bias])
        var scaled = softmax.Input(0)!;
        Value? maskBias = null;
        if (Patterns.Producer(scaled, "Add") is { } addMask)
        {
            var left = addMask.Input(0)?.Producer;
            var leftIsScaled = left is not null && (left.Is("Div") || left.Is("Mul"));
            scaled = leftIsScaled ? addMask.Input(0)! : addMask.Input(1)!;
            maskBias = leftIsScaled ? addMask.Input(1) : addMask.Input(0);
        }

        var scaleNode = scaled.Producer;
        if (scaleNode is null || !(scaleNode.Is("Div") || scaleNode.Is("Mul")) || Patterns.Scalar(scaleNode.Input(1)) is not { } factor || factor == 0)
        {
            return null;
        }

        var scale = scaleNode.Is("Div") ? 1 / factor : factor;
        var qk = Patterns.Producer(scaleNode.Input(0), "MatMul");
        if (qk is null)
        {
            return null;
        }

        if (Head(qk.Input(0), [0, 2, 1, 3]) is not { } query || Head(qk.Input(1), [0, 2, 3, 1]) is not { } key)
        {
            return null;
        }

        // o = Reshape(Transpose(p · v, [0,2,1,3]), [B, S, H])
        var weighted = softmax.Output.Uses[0].Node;
        if (!weighted.Is("MatMul") || weighted.Input(0) != softmax.Output || Head(weighted.Input(1), [0, 2, 1, 3]) is not { } value ||
            weighted.Output.Uses.Count != 1 || weighted.Output.Uses[0].Node is not { } merge || !merge.Is("Transpose") ||
            !(merge.GetInts("perm") is { } mergePerm && mergePerm.SequenceEqual([0L, 2, 1, 3])) ||
            merge.Output.Uses.Count != 1 || merge.Output.Uses[0].Node is not { } output || !output.Is("Reshape"))
        {
            return null;
        }

        var hidden = query.Projection.MatMul.Input(0)!;
        var heads = query.Heads;
        if (key.Projection.MatMul.Input(0) != hidden || value.Projection.MatMul.Input(0) != hidden || key.Heads != heads || value.Heads != heads ||
            hidden.TensorType?.Shape is not { Rank: 3, IsFullyKnown: true } || output.Output.TensorType?.Shape is not { Rank: 3 } outShape ||
            !outShape.Equals(hidden.TensorType.Shape))
        {
            return null;
        }

        Value? maskSource = null;
        var maskFilter = -10000.0;
        if (maskBias is not null)
        {
            if (MaskSource(maskBias) is not var (source, filter))
            {
                return null;
            }

            (maskSource, maskFilter) = (source, filter);
        }

        return new Block(hidden, query.Projection, key.Projection, value.Projection, heads, scale, maskSource, maskFilter, output);
    }

    /// <summary>x·W + b → Reshape [B,S,n,d] → Transpose(perm): the projection and the head count.</summary>
    private static (Projection Projection, int Heads)? Head(Value? transposed, long[] perm)
    {
        var transpose = Patterns.Producer(transposed, "Transpose");
        var reshape = Patterns.Producer(transpose?.Input(0), "Reshape");
        if (transpose is null || reshape is null || !(transpose.GetInts("perm") is { } actual && actual.SequenceEqual(perm)) ||
            transpose.Output.Uses.Count != 1 || reshape.Output.Uses.Count != 1 ||
            reshape.Output.TensorType?.Shape is not { Rank: 4, IsFullyKnown: true } split)
        {
            return null;
        }

        var add = Patterns.Producer(reshape.Input(0), "Add");
        if (add is null || add.Output.Uses.Count != 1)
        {
            return null;
        }

        var matmul = Patterns.Producer(add.Input(0), "MatMul") ?? Patterns.Producer(add.Input(1), "MatMul");
        var biasValue = matmul is null ? null : Patterns.Other(add, matmul.Output);
        if (matmul is null || matmul.Output.Uses.Count != 1 || PassHelpers.Constant(matmul.Input(1)) is not { Dims.Length: 2, ElementType: DataType.Float } weight ||
            PassHelpers.Constant(biasValue) is not { Dims.Length: 1, ElementType: DataType.Float } bias || bias.Dims[0] != weight.Dims[1] ||
            split.Dims[2].Value!.Value * split.Dims[3].Value!.Value != weight.Dims[1])
        {
            return null;
        }

        return (new Projection(matmul, add, weight, bias), (int)split.Dims[2].Value!.Value);
    }

    /// <summary>Mul(Sub(1, Cast(Unsqueeze…(mask))), f) → the [B, S] integer mask and f.</summary>
    private static (Value Source, double Filter)? MaskSource(Value bias)
    {
        var mul = Patterns.Producer(bias, "Mul");
        if (mul is null)
        {
            return null;
        }

        var sub = Patterns.Producer(mul.Input(0), "Sub") ?? Patterns.Producer(mul.Input(1), "Sub");
        var filter = sub is null ? null : Patterns.Scalar(Patterns.Other(mul, sub.Output));
        if (sub is null || filter is null || !Patterns.Near(Patterns.Scalar(sub.Input(0)), 1))
        {
            return null;
        }

        var current = sub.Input(1);
        while (current?.Producer is { } producer && (producer.Is("Cast") || producer.Is("Unsqueeze") || producer.Is("Reshape")))
        {
            current = producer.Input(0);
        }

        return current?.TensorType is { Shape.Rank: 2 } type && type.ElementType is DataType.Int64 or DataType.Int32 or DataType.Bool or DataType.Float
            ? (current, filter.Value)
            : null;
    }

    private static void Rewrite(Model model, Block block, Dictionary<Value, Value> masks, PassContext context)
    {
        var graph = model.Graph;
        model.EnsureOpset("com.microsoft", 1);
        var hiddenSize = block.Query.Weight.Dims[0];
        var width = block.Query.Weight.Dims[1];
        var packed = new float[hiddenSize * width * 3];
        var projections = new[] { block.Query, block.Key, block.Value };
        for (var row = 0; row < hiddenSize; row++)
        {
            for (var which = 0; which < 3; which++)
            {
                projections[which].Weight.AsSpan<float>().Slice((int)(row * width), (int)width)
                    .CopyTo(packed.AsSpan((int)((row * width * 3) + (which * width)), (int)width));
            }
        }

        var packedBias = projections.SelectMany(p => p.Bias.AsSpan<float>().ToArray()).ToArray();
        var weights = PassHelpers.AddConstant(graph, $"{block.Output.Name}_qkv_weight", Tensor.From<float>(packed, hiddenSize, width * 3));
        var bias = PassHelpers.AddConstant(graph, $"{block.Output.Name}_qkv_bias", Tensor.From<float>(packedBias, width * 3));

        Value? maskIndex = null;
        if (block.MaskSource is { } source)
        {
            if (!masks.TryGetValue(source, out maskIndex))
            {
                var cast = graph.AddNode("Cast", [source], $"{source.Name}_int32", attributes: [Ir.Attribute.FromInt("to", (long)DataType.Int32)]);
                cast.Output.Type = new TensorType(DataType.Int32, source.TensorType!.Shape);
                maskIndex = masks[source] = cast.Output;
            }
        }

        var attributes = new List<Ir.Attribute> { Ir.Attribute.FromInt("num_heads", block.Heads) };
        var headSize = width / block.Heads;
        if (!Patterns.Near(block.Scale, 1 / Math.Sqrt(headSize)))
        {
            attributes.Add(Ir.Attribute.FromFloat("scale", (float)block.Scale));
        }

        if (!Patterns.Near(block.MaskFilter, -10000))
        {
            attributes.Add(Ir.Attribute.FromFloat("mask_filter_value", (float)block.MaskFilter));
        }

        var attention = graph.AddNode("Attention", maskIndex is null ? [block.Hidden, weights, bias] : [block.Hidden, weights, bias, maskIndex], $"{block.Output.Output.Name}_attention", "com.microsoft", attributes);
        attention.Output.Type = block.Output.Output.Type;
        graph.ReplaceAllUses(block.Output.Output, attention.Output);
        context.Touch(attention);
    }
}
