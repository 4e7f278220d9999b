using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = x̂·γ + β over the axes from <c>axis</c> to the last, x̂ = (x − μ)/σ, σ = √(var + ε) (opset 17). With
/// g = ∂y·γ and means over the normalised axes: ∂x = (g − mean(g) − x̂·mean(g·x̂)) / σ, ∂γ = Σ ∂y·x̂, ∂β = Σ ∂y, the
/// sums over the leading axes (Ba, Kiros, Hinton, "Layer Normalization", 2016; the standard derivation). μ and σ are
/// recomputed rather than read from the optional Mean/InvStdDev outputs, which get no gradient.
/// </summary>
internal sealed class LayerNormalizationGradient : GradientRule
{
    public override string OpType => "LayerNormalization";

    public override bool IsDifferentiable(Node node, int index) => index is 0 or 1 or 2;

    public override void Emit(GradientContext context)
    {
        if (context.OutputGradient(1) is not null || context.OutputGradient(2) is not null)
        {
            throw context.Fail("a gradient reaches its Mean or InvStdDev output; only Y is differentiated");
        }

        var emit = context.Emit;
        var type = context.ElementType;
        var x = context.Input(0);
        var dy = context.Gradient;
        var rank = context.Rank(x);
        var first = (int)GradientEmitter.Normalise([context.Node.GetInt("axis", -1)], rank)[0];
        long[] axes = [.. Enumerable.Range(first, rank - first)];
        var mean = emit.ReduceMean(x, axes, keepDims: true);
        var centred = emit.Sub(x, mean);
        var variance = emit.ReduceMean(emit.Mul(centred, centred), axes, keepDims: true);
        var inverse = emit.Reciprocal(emit.Sqrt(emit.Add(variance, emit.Scalar(context.Node.GetFloat("epsilon", 1e-5f), type))));
        var normalised = emit.Mul(centred, inverse);
        var resultShape = emit.ShapeOf(context.Output);
        if (context.Wants(1))
        {
            context.Set(1, emit.ReduceTo(emit.Mul(dy, normalised), resultShape, context.Input(1)));
        }

        if (context.Wants(2))
        {
            context.Set(2, emit.ReduceTo(dy, resultShape, context.Input(2)));
        }

        if (context.Wants(0))
        {
            var g = emit.Mul(dy, context.Input(1));
            var correction = emit.Add(emit.ReduceMean(g, axes, keepDims: true), emit.Mul(normalised, emit.ReduceMean(emit.Mul(g, normalised), axes, keepDims: true)));
            context.Set(0, emit.Mul(emit.Sub(g, correction), inverse));
        }
    }
}
