namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = 1 / (1 + e⁻ˣ): ∂x = ∂y·y·(1 − y).</summary>
internal sealed class SigmoidGradient : GradientRule
{
    public override string OpType => "Sigmoid";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var y = context.Output;
        context.Set(0, emit.Mul(context.Gradient, emit.Mul(y, emit.Sub(emit.Scalar(1, context.ElementType), y))));
    }
}
