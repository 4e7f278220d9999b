namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = √x: ∂x = ∂y / (2y).</summary>
internal sealed class SqrtGradient : GradientRule
{
    public override string OpType => "Sqrt";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        context.Set(0, emit.Div(context.Gradient, emit.Mul(context.Output, emit.Scalar(2, context.ElementType))));
    }
}
