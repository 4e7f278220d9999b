namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = eˣ: ∂x = ∂y·y.</summary>
internal sealed class ExpGradient : GradientRule
{
    public override string OpType => "Exp";

    public override void Emit(GradientContext context) => context.Set(0, context.Emit.Mul(context.Gradient, context.Output));
}
