using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = a − b: ∂a = Σ_broadcast ∂y, ∂b = −Σ_broadcast ∂y.</summary>
internal sealed class SubGradient : BinaryArithmetic
{
    public override string OpType => "Sub";

    protected override Value Local(GradientContext context, int index) => index == 0 ? context.Gradient : context.Emit.Neg(context.Gradient);
}
