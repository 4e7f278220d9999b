namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = max(x, 0): ∂x = ∂y·[x &gt; 0] (0 at x = 0, as PyTorch and TensorFlow take it).</summary>
internal sealed class ReluGradient : GradientRule
{
    public override string OpType => "Relu";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var type = context.ElementType;
        context.Set(0, emit.Mul(context.Gradient, emit.Mask(emit.Greater(context.Input(0), emit.Scalar(0, type)), type)));
    }
}
