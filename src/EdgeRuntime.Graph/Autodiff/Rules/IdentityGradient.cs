namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = x: ∂x = ∂y.</summary>
internal sealed class IdentityGradient : GradientRule
{
    public override string OpType => "Identity";

    public override void Emit(GradientContext context) => context.Set(0, context.Gradient);
}
