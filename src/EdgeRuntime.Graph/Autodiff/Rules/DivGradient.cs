using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = a / b: ∂a = Σ_broadcast ∂y / b, ∂b = −Σ_broadcast ∂y·y / b (= −∂y·a / b²).</summary>
internal sealed class DivGradient : BinaryArithmetic
{
    public override string OpType => "Div";

    protected override Value Local(GradientContext context, int index)
    {
        var emit = context.Emit;
        var b = context.Input(1);
        return index == 0
            ? emit.Div(context.Gradient, b)
            : emit.Neg(emit.Div(emit.Mul(context.Gradient, context.Output), b));
    }
}
