namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = log softmax(x): ∂x = ∂y − eʸ·Σ ∂y, the sum over the normalised axes.</summary>
internal sealed class LogSoftmaxGradient : GradientRule
{
    public override string OpType => "LogSoftmax";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var dy = context.Gradient;
        var total = emit.ReduceSum(dy, SoftmaxAxes.Of(context), keepDims: true);
        context.Set(0, emit.Sub(dy, emit.Mul(emit.Exp(context.Output), total)));
    }
}
