namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = x for x &gt; 0, αx otherwise (α default 0.01): ∂x = ∂y·(α + (1 − α)·[x &gt; 0]).</summary>
internal sealed class LeakyReluGradient : GradientRule
{
    public override string OpType => "LeakyRelu";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var type = context.ElementType;
        double alpha = context.Node.GetFloat("alpha", 0.01f);
        var positive = emit.Mask(emit.Greater(context.Input(0), emit.Scalar(0, type)), type);
        var slope = emit.Add(emit.Mul(positive, emit.Scalar(1 - alpha, type)), emit.Scalar(alpha, type));
        context.Set(0, emit.Mul(context.Gradient, slope));
    }
}
