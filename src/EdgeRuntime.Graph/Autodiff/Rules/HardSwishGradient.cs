namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = x·max(0, min(1, x/6 + ½)) (opset 14): ∂x = ∂y·(x/3 + ½) for −3 &lt; x &lt; 3, ∂y for x ≥ 3, 0 for x ≤ −3.
/// </summary>
internal sealed class HardSwishGradient : GradientRule
{
    public override string OpType => "HardSwish";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var type = context.ElementType;
        var x = context.Input(0);
        var above = emit.Mask(emit.Not(emit.Less(x, emit.Scalar(3, type))), type);
        var inside = emit.Mask(emit.And(emit.Greater(x, emit.Scalar(-3, type)), emit.Less(x, emit.Scalar(3, type))), type);
        var ramp = emit.Add(emit.Div(x, emit.Scalar(3, type)), emit.Scalar(0.5, type));
        context.Set(0, emit.Mul(context.Gradient, emit.Add(above, emit.Mul(inside, ramp))));
    }
}
