using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Losses;

/// <summary>
/// One loss function: its per-element loss e and ∂e/∂y, emitted as ONNX operators. Averaging, weights and the
/// term's scale are applied by <see cref="LossTermEmitter"/>, the same way for every function.
/// </summary>
internal abstract class LossFunction
{
    /// <summary>The function for <paramref name="kind"/>.</summary>
    public static LossFunction For(LossKind kind) => kind switch
    {
        LossKind.MeanSquaredError => new MeanSquaredErrorLoss(),
        LossKind.MeanAbsoluteError => new MeanAbsoluteErrorLoss(),
        LossKind.Huber => new HuberLoss(),
        LossKind.SoftmaxCrossEntropy => new SoftmaxCrossEntropyLoss(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss kind"),
    };

    /// <summary>The target input's type for an output of type <paramref name="output"/>.</summary>
    public virtual TensorType TargetType(TensorType output) => output;

    /// <summary>Emits e (shaped like the target) and ∂e/∂y (shaped like <paramref name="output"/>).</summary>
    public abstract (Value ElementLoss, Value OutputGradient) Emit(GradientEmitter emit, Value output, Value target, LossTerm term);
}
