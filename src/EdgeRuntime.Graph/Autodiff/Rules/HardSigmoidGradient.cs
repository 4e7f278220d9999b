namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = max(0, min(1, αx + β)) (α 0.2, β 0.5 by default): ∂x = ∂y·α·[0 &lt; y &lt; 1].</summary>
internal sealed class HardSigmoidGradient : GradientRule
{
    public override string OpType => "HardSigmoid";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var type = context.ElementType;
        var y = context.Output;
        var inside = emit.Mask(emit.And(emit.Greater(y, emit.Scalar(0, type)), emit.Less(y, emit.Scalar(1, type))), type);
        context.Set(0, emit.Mul(context.Gradient, emit.Mul(inside, emit.Scalar(context.Node.GetFloat("alpha", 0.2f), type))));
    }
}
