using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = a·b: ∂a = Σ_broadcast ∂y·b, ∂b = Σ_broadcast ∂y·a.</summary>
internal sealed class MulGradient : BinaryArithmetic
{
    public override string OpType => "Mul";

    protected override Value Local(GradientContext context, int index) => context.Emit.Mul(context.Gradient, context.Input(1 - index));
}
