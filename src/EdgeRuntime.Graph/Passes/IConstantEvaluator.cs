using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes;

/// <summary>
/// Runs a group of nodes whose inputs are all constant and returns their outputs, with the exact semantics
/// of the runtime the model is meant for. EdgeRuntime.Inference provides one backed by ONNX Runtime.
/// </summary>
public interface IConstantEvaluator
{
    /// <summary>
    /// Evaluates <paramref name="nodes"/> (in execution order) and returns the tensors of <paramref name="outputs"/>;
    /// null when the runtime cannot evaluate them (the folding pass then leaves them alone).
    /// </summary>
    IReadOnlyDictionary<Value, Tensor>? Evaluate(Model model, IReadOnlyList<Node> nodes, IReadOnlyList<Value> outputs);
}
