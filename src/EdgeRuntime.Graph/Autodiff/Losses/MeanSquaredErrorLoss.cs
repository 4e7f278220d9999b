using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Losses;

/// <summary>e = (y − t)², ∂e/∂y = 2(y − t).</summary>
internal sealed class MeanSquaredErrorLoss : LossFunction
{
    public override (Value ElementLoss, Value OutputGradient) Emit(GradientEmitter emit, Value output, Value target, LossTerm term)
    {
        var type = emit.TypeOf(output);
        var residual = emit.Sub(output, target);
        return (emit.Mul(residual, residual), emit.Mul(residual, emit.Scalar(2, type)));
    }
}
