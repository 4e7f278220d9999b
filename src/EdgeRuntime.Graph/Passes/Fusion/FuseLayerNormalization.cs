using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Recognises layer normalisation written out in elementary operators (PyTorch and paddle2onnx exports) and
/// replaces it with one LayerNormalization.
/// <code>
/// before:  μ = ReduceMean(x, [-1])   d = x − μ   σ² = ReduceMean(d², [-1])   n = d / √(σ² + ε)   y = n·γ + β
/// after:   y = LayerNormalization(x, γ, β, axis=-1, epsilon=ε)
/// </code>
/// Exact up to rounding: it is the definition of layer normalisation over the last axis. The square may be
/// written Pow(d, 2) or d·d; the intermediates must have no other readers. γ and β keep their initializers (a
/// preserved one stays mappable); a preserved ε or exponent stops the fusion.
/// </summary>
public sealed class FuseLayerNormalization : GraphPass
{
    public override string Name => "fuse-layer-normalization";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O2;

    public override bool RewritesInitializers => true;

    public override string Description => "Replaces decomposed layer normalisation (ReduceMean, Sub, Pow, Sqrt, Div, Mul, Add) with LayerNormalization.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var div in PassHelpers.AllNodes(model).Where(n => n.Is("Div")).ToList())
        {
            if (div.Owner.Nodes.Contains(div) && TryFuse(div, context))
            {
                changed = true;
            }
        }

        return changed;
    }

    private static bool TryFuse(Node div, PassContext context)
    {
        // n = d / √(σ² + ε)
        var sub = Patterns.Producer(div.Input(0), "Sub");
        var sqrt = Patterns.Producer(div.Input(1), "Sqrt");
        if (sub is null || sqrt is null || sub.Input(0) is not { } x || x.TensorType?.Shape is not { Rank: > 0 } shape)
        {
            return false;
        }

        var rank = shape.Rank;
        var mean = Patterns.Producer(sub.Input(1), "ReduceMean");
        if (mean is null || mean.Input(0) != x || !LastAxisOnly(mean, rank))
        {
            return false;
        }

        var addEpsilon = Patterns.Producer(sqrt.Input(0), "Add");
        if (addEpsilon is null)
        {
            return false;
        }

        var variance = Patterns.Producer(addEpsilon.Input(0), "ReduceMean") ?? Patterns.Producer(addEpsilon.Input(1), "ReduceMean");
        var epsilon = variance is null ? null : Patterns.Scalar(Patterns.Other(addEpsilon, variance.Output));
        if (variance is null || epsilon is null || !LastAxisOnly(variance, rank))
        {
            return false;
        }

        var square = variance.Input(0)?.Producer;
        var isSquare = square is not null &&
            ((square.Is("Pow") && square.Input(0) == sub.Output && Patterns.Near(Patterns.Scalar(square.Input(1)), 2)) ||
             (square.Is("Mul") && square.Input(0) == sub.Output && square.Input(1) == sub.Output));
        if (!isSquare)
        {
            return false;
        }

        // y = n·γ + β (β optional)
        if (div.Output.Uses.Count != 1 || div.Output.IsGraphOutput || div.Output.Uses[0].Node is not { } scale || !scale.Is("Mul"))
        {
            return false;
        }

        var gamma = Patterns.Other(scale, div.Output);
        var width = shape.Dims[^1].Value;
        if (gamma is null || PassHelpers.Constant(gamma) is not { Dims.Length: 1 } gammaTensor || gammaTensor.Dims[0] != width)
        {
            return false;
        }

        Node last = scale;
        Value? beta = null;
        if (scale.Output.Uses.Count == 1 && !scale.Output.IsGraphOutput && scale.Output.Uses[0].Node is { } shift && shift.Is("Add") &&
            Patterns.Other(shift, scale.Output) is { } candidate && PassHelpers.Constant(candidate) is { Dims.Length: 1 } betaTensor && betaTensor.Dims[0] == width)
        {
            beta = candidate;
            last = shift;
        }

        if (!Patterns.OnlyReadBy(sub.Output, square!, div) || !Patterns.OnlyReadBy(mean.Output, sub) || !Patterns.OnlyReadBy(square!.Output, variance) ||
            !Patterns.OnlyReadBy(variance.Output, addEpsilon) || !Patterns.OnlyReadBy(addEpsilon.Output, sqrt) || !Patterns.OnlyReadBy(sqrt.Output, div) ||
            (beta is not null && !Patterns.OnlyReadBy(scale.Output, last)))
        {
            return false;
        }

        // ε and the other constants of the decomposition are baked into attributes; γ and β stay the fused node's inputs.
        if (context.ReadsPreserved(sub, mean, variance, addEpsilon, square, sqrt, div))
        {
            return false;
        }

        var graph = div.Owner;
        beta ??= PassHelpers.AddConstant(graph, $"{scale.Name}_zero_bias", ChannelConstants.FromDoubles(gammaTensor.ElementType, new double[gammaTensor.Dims[0]], [gammaTensor.Dims[0]]));
        var fused = graph.AddNode("LayerNormalization", [x, gamma, beta], $"{last.Output.Name}_layernorm", attributes:
        [
            Ir.Attribute.FromInt("axis", -1),
            Ir.Attribute.FromFloat("epsilon", (float)epsilon.Value),
        ]);
        fused.Output.Type = last.Output.Type;
        graph.ReplaceAllUses(last.Output, fused.Output);
        foreach (var node in new[] { last, scale, div, sqrt, addEpsilon, variance, square, sub, mean }.Distinct())
        {
            graph.RemoveNode(node);
        }

        context.Touch(fused);
        return true;
    }

    private static bool LastAxisOnly(Node reduce, int rank) =>
        reduce.GetInt("keepdims", 1) == 1 && Patterns.ReduceAxes(reduce, rank) is [var axis] && axis == rank - 1;
}
