namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = tanh x: ∂x = ∂y·(1 − y²).</summary>
internal sealed class TanhGradient : GradientRule
{
    public override string OpType => "Tanh";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var y = context.Output;
        context.Set(0, emit.Mul(context.Gradient, emit.Sub(emit.Scalar(1, context.ElementType), emit.Mul(y, y))));
    }
}
