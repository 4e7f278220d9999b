using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Losses;

/// <summary>e = |y − t|, ∂e/∂y = sign(y − t) (0 where y = t, the subgradient of least norm).</summary>
internal sealed class MeanAbsoluteErrorLoss : LossFunction
{
    public override (Value ElementLoss, Value OutputGradient) Emit(GradientEmitter emit, Value output, Value target, LossTerm term)
    {
        var type = emit.TypeOf(output);
        var residual = emit.Sub(output, target);
        var zero = emit.Scalar(0, type);

        // Sign exists only from opset 9; two comparisons work in every opset.
        var sign = emit.Sub(emit.Mask(emit.Greater(residual, zero), type), emit.Mask(emit.Less(residual, zero), type));
        return (emit.Abs(residual), sign);
    }
}
