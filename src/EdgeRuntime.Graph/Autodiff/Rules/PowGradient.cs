using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = aᵇ: ∂a = Σ_broadcast ∂y·b·a^(b−1), ∂b = Σ_broadcast ∂y·y·ln a (defined for a &gt; 0, as the real power is).
/// The exponent must have the base's element type for its gradient (Pow allows an integer exponent, which has none).
/// </summary>
internal sealed class PowGradient : BinaryArithmetic
{
    public override string OpType => "Pow";

    protected override Value Local(GradientContext context, int index)
    {
        var emit = context.Emit;
        var (a, b) = (context.Input(0), context.Input(1));
        if (index == 1)
        {
            return emit.Mul(emit.Mul(context.Gradient, context.Output), emit.Op("Log", [a]));
        }

        var exponent = emit.TypeOf(b) == emit.TypeOf(a) ? b : emit.Cast(b, emit.TypeOf(a));
        var power = emit.Op("Pow", [a, emit.Sub(exponent, emit.Scalar(1, emit.TypeOf(a)))]);
        return emit.Mul(context.Gradient, emit.Mul(exponent, power));
    }
}
