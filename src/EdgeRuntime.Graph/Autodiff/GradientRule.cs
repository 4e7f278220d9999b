using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// The reverse-mode derivative of one operator: given the gradients of the loss with respect to a node's outputs,
/// emits ONNX operators that compute the gradients with respect to the inputs that need them (vector–Jacobian
/// products). One rule per operator, each in its own file under Rules/; <see cref="GradientRules"/> lists them.
/// </summary>
internal abstract class GradientRule
{
    /// <summary>The operator, e.g. "MatMul".</summary>
    public abstract string OpType { get; }

    /// <summary>Its domain: empty for ai.onnx.</summary>
    public virtual string Domain => string.Empty;

    /// <summary>Whether a gradient can flow into input <paramref name="index"/> (default: the first input only).</summary>
    public virtual bool IsDifferentiable(Node node, int index) => index == 0;

    /// <summary>Emits the gradients of the inputs <see cref="GradientContext.Wants"/> asks for.</summary>
    public abstract void Emit(GradientContext context);
}
