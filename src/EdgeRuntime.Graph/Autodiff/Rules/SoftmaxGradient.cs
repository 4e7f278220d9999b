namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = softmax(x): ∂x = y·(∂y − Σ ∂y·y), the sum over the normalised axes (kept for broadcasting).</summary>
internal sealed class SoftmaxGradient : GradientRule
{
    public override string OpType => "Softmax";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var y = context.Output;
        var dy = context.Gradient;
        var inner = emit.ReduceSum(emit.Mul(dy, y), SoftmaxAxes.Of(context), keepDims: true);
        context.Set(0, emit.Mul(y, emit.Sub(dy, inner)));
    }
}
