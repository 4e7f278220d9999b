using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Losses;

/// <summary>
/// Softmax cross-entropy over the last axis of logits y with integer class targets t (the negative log-likelihood of
/// a categorical distribution; Goodfellow, Bengio, Courville, "Deep Learning", 2016, §6.2.2.3):
/// e = logsumexp(y) − y[t] = −log softmax(y)[t], ∂e/∂y = softmax(y) − onehot(t). The log-sum-exp subtracts the row
/// maximum first, so large logits do not overflow. A class index outside [0, C) selects no class: that element's e and
/// gradient are 0 (it still counts in an unweighted mean; a weight of 0 leaves it out of the mean too).
/// </summary>
internal sealed class SoftmaxCrossEntropyLoss : LossFunction
{
    public override TensorType TargetType(TensorType output)
    {
        var shape = output.Shape is { Rank: > 0 } s ? new TensorShape(s.Dims.Take(s.Rank - 1)) : null;
        return new TensorType(DataType.Int64, shape);
    }

    public override (Value ElementLoss, Value OutputGradient) Emit(GradientEmitter emit, Value output, Value target, LossTerm term)
    {
        var type = emit.TypeOf(output);
        var shape = emit.ShapeOf(output);
        if (shape.Rank < 1 || shape.Dims[^1].Value is not { } classes)
        {
            throw emit.Fail($"softmax cross-entropy needs logits whose last (class) axis has a known size; '{output.Name}' is {shape}");
        }

        var axis = shape.Rank - 1;
        var shifted = emit.Sub(output, emit.ReduceMax(output, [axis], keepDims: true));
        var logSumExp = emit.Op("Log", [emit.ReduceSum(emit.Exp(shifted), [axis], keepDims: true)]);
        var logProbabilities = emit.Sub(shifted, logSumExp);

        // onehot(t) as t == [0, 1, …, C−1] (Equal on int64 exists from opset 7; OneHot only from 9).
        var classIndices = emit.Constant(Tensor.From<long>([.. Enumerable.Range(0, (int)classes).Select(c => (long)c)], [.. Enumerable.Repeat(1L, axis), classes]), "classes");
        var oneHot = emit.Mask(emit.Op("Equal", [emit.Unsqueeze(target, axis), classIndices]), type);
        var elementLoss = emit.Neg(emit.ReduceSum(emit.Mul(oneHot, logProbabilities), [axis], keepDims: false));
        var selected = emit.ReduceSum(oneHot, [axis], keepDims: true);
        return (elementLoss, emit.Sub(emit.Mul(emit.Exp(logProbabilities), selected), oneHot));
    }
}
