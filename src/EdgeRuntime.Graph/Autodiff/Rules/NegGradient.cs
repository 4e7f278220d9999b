namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = −x: ∂x = −∂y.</summary>
internal sealed class NegGradient : GradientRule
{
    public override string OpType => "Neg";

    public override void Emit(GradientContext context) => context.Set(0, context.Emit.Neg(context.Gradient));
}
