using EdgeRuntime.Graph.Autodiff;

namespace EdgeRuntime.Learning.Training;

/// <summary>What to train in a model.</summary>
/// <param name="Trainable">Initializer names to train (the rest stay frozen).</param>
/// <param name="Loss">The loss on <paramref name="Output"/>.</param>
/// <param name="Output">The model output the loss reads; null = the first output.</param>
/// <param name="HuberDelta">δ of the Huber loss, in the output's units.</param>
public sealed record TrainingRequest(IReadOnlyList<string> Trainable, LossKind Loss = LossKind.MeanAbsoluteError, string? Output = null, float HuberDelta = 1f);
