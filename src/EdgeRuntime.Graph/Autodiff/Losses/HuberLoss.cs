using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Losses;

/// <summary>
/// Huber's loss (P. J. Huber, "Robust Estimation of a Location Parameter", 1964; PyTorch's HuberLoss): with r = y − t,
/// e = ½r² for |r| ≤ δ and δ(|r| − ½δ) beyond; ∂e/∂y = clip(r, −δ, δ). Written with Relu, which every opset has:
/// m = min(|r|, δ) = |r| − relu(|r| − δ), e = ½m² + δ(|r| − m), and clip(r, −δ, δ) = r − relu(r − δ) + relu(−r − δ).
/// </summary>
internal sealed class HuberLoss : LossFunction
{
    public override (Value ElementLoss, Value OutputGradient) Emit(GradientEmitter emit, Value output, Value target, LossTerm term)
    {
        var type = emit.TypeOf(output);
        var delta = emit.Scalar(term.HuberDelta, type);
        var residual = emit.Sub(output, target);
        var magnitude = emit.Abs(residual);
        var clipped = emit.Sub(magnitude, emit.Relu(emit.Sub(magnitude, delta)));
        var quadratic = emit.Mul(emit.Scalar(0.5, type), emit.Mul(clipped, clipped));
        var linear = emit.Mul(delta, emit.Sub(magnitude, clipped));
        var gradient = emit.Add(emit.Sub(residual, emit.Relu(emit.Sub(residual, delta))), emit.Relu(emit.Sub(emit.Neg(residual), delta)));
        return (emit.Add(quadratic, linear), gradient);
    }
}
