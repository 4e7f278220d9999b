namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// One loss term on one value of the inference model. The target becomes a new graph input of the training
/// model named <paramref name="TargetInput"/>: for regression losses it has the value's element type and shape;
/// for <see cref="LossKind.SoftmaxCrossEntropy"/> it is an int64 tensor of class indices shaped like the value
/// without its last (class) axis — <c>[batch]</c> for logits <c>[batch, classes]</c>.
/// </summary>
/// <param name="Kind">The loss function.</param>
/// <param name="Output">
/// The value the loss reads: a graph output or any intermediate value of the main graph (e.g. the logits before a
/// final Softmax). Must be a floating-point tensor.
/// </param>
/// <param name="TargetInput">Name of the new graph input holding the targets; it must not name an existing value.</param>
/// <param name="WeightInput">
/// Optional name of a new graph input of per-element weights, shaped like the target, in the value's element type.
/// With weights the term is Σ w·e / max(Σ w, 1e-12), so a weight of 0 masks a missing label (a forecast horizon not
/// observed yet); without them it is the mean of e over all elements.
/// </param>
/// <param name="HuberDelta">δ of <see cref="LossKind.Huber"/> (where the loss turns from quadratic to linear); must be &gt; 0.</param>
/// <param name="Scale">Factor applied to the term before the terms are summed into the loss.</param>
public sealed record LossTerm(LossKind Kind, string Output, string TargetInput, string? WeightInput = null, float HuberDelta = 1f, float Scale = 1f);
