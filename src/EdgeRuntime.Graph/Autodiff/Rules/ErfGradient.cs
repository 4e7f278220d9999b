namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = erf x: ∂x = ∂y·(2/√π)·e^(−x²).</summary>
internal sealed class ErfGradient : GradientRule
{
    public override string OpType => "Erf";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var type = context.ElementType;
        var density = emit.Mul(emit.Exp(emit.Neg(emit.Mul(x, x))), emit.Scalar(2 / Math.Sqrt(Math.PI), type));
        context.Set(0, emit.Mul(context.Gradient, density));
    }
}
