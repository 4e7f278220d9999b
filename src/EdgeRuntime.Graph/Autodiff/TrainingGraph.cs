using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// A training model derived from an inference model, and the names a trainer needs to drive it. Feed every input
/// of <see cref="DataInputs"/>, <see cref="TargetInputs"/>, <see cref="WeightInputs"/> and the current values of
/// <see cref="ParameterInputs"/>; read <see cref="LossOutput"/> and the gradients. One session serves every step,
/// since parameters are inputs, not initializers.
/// </summary>
/// <param name="Model">The training model: a new model; the inference model is untouched.</param>
/// <param name="LossOutput">The scalar loss output (usually "loss"), the model's first output.</param>
/// <param name="ParameterInputs">Trainable initializers, now graph inputs of the same names and shapes, in the inference model's initializer order.</param>
/// <param name="GradientOutputs">Parameter name → name of the output holding ∂loss/∂parameter (same shape and element type as the parameter).</param>
/// <param name="DataInputs">The inference model's own inputs (initializers listed as inputs by old exporters excluded).</param>
/// <param name="TargetInputs">The targets' inputs, one per distinct <see cref="LossTerm.TargetInput"/>, in term order.</param>
/// <param name="WeightInputs">The weights' inputs, one per distinct <see cref="LossTerm.WeightInput"/>, in term order.</param>
public sealed record TrainingGraph(
    Model Model,
    string LossOutput,
    IReadOnlyList<string> ParameterInputs,
    IReadOnlyDictionary<string, string> GradientOutputs,
    IReadOnlyList<string> DataInputs,
    IReadOnlyList<string> TargetInputs,
    IReadOnlyList<string> WeightInputs);
