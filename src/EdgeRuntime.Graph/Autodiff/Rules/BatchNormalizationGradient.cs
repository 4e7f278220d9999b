using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// Inference-form batch normalisation, y = γ·(x − μ)/σ + β per channel (axis 1), σ = √(var + ε), with μ and var the
/// stored running statistics (constants of the forward pass, so x's gradient is a per-channel scale):
/// ∂x = ∂y·γ/σ, ∂γ = Σ ∂y·(x − μ)/σ, ∂β = Σ ∂y, ∂μ = −Σ ∂y·γ/σ, ∂var = −½ Σ ∂y·γ·(x − μ)/σ³, the sums over every
/// axis but the channel one. training_mode=1 (batch statistics) and the pre-opset-9 spatial=0 form are refused.
/// </summary>
internal sealed class BatchNormalizationGradient : GradientRule
{
    public override string OpType => "BatchNormalization";

    public override bool IsDifferentiable(Node node, int index) => index is >= 0 and <= 4;

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        if (context.Node.GetInt("training_mode", 0) != 0 || emit.Opset < 7 || context.Node.GetInt("spatial", 1) != 1)
        {
            throw context.Fail("only inference-form BatchNormalization (training_mode=0, spatial=1, opset 7 or later) has a gradient rule");
        }

        var type = context.ElementType;
        var x = context.Input(0);
        var dy = context.Gradient;
        var rank = context.Rank(x);
        long[] perChannel = [-1, .. Enumerable.Repeat(1L, rank - 2)];
        long[] axes = [0, .. Enumerable.Range(2, rank - 2)];
        Value Channels(Value v) => emit.Reshape(v, perChannel);

        var (scale, mean, variance) = (context.Input(1), context.Input(3), context.Input(4));
        var inverse = emit.Reciprocal(emit.Sqrt(emit.Add(variance, emit.Scalar(context.Node.GetFloat("epsilon", 1e-5f), type))));
        var gain = emit.Mul(scale, inverse);
        if (context.Wants(0))
        {
            context.Set(0, emit.Mul(dy, Channels(gain)));
        }

        if (context.Wants(2))
        {
            context.Set(2, emit.ReshapeLike(emit.ReduceSum(dy, axes, keepDims: false), context.Input(2)));
        }

        if (context.Wants(3))
        {
            context.Set(3, emit.ReshapeLike(emit.Neg(emit.Mul(emit.ReduceSum(dy, axes, keepDims: false), gain)), mean));
        }

        if (context.Wants(1) || context.Wants(4))
        {
            var centred = emit.Sub(x, Channels(mean));
            var spread = emit.ReduceSum(emit.Mul(dy, centred), axes, keepDims: false);
            if (context.Wants(1))
            {
                context.Set(1, emit.ReshapeLike(emit.Mul(spread, inverse), scale));
            }

            if (context.Wants(4))
            {
                var cube = emit.Mul(inverse, emit.Mul(inverse, inverse));
                context.Set(4, emit.ReshapeLike(emit.Mul(emit.Mul(spread, emit.Mul(scale, cube)), emit.Scalar(-0.5, type)), variance));
            }
        }
    }
}
