using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = a + b: ∂a = Σ_broadcast ∂y, ∂b = Σ_broadcast ∂y.</summary>
internal sealed class AddGradient : BinaryArithmetic
{
    public override string OpType => "Add";

    protected override Value Local(GradientContext context, int index) => context.Gradient;
}
