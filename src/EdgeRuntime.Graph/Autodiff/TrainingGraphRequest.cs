namespace EdgeRuntime.Graph.Autodiff;

/// <summary>What training graph to build: the loss terms (summed into one scalar) and the initializers to train.</summary>
/// <param name="Losses">At least one loss term.</param>
/// <param name="Trainable">
/// Names of floating-point initializers of the main graph (see <see cref="TrainableSelection"/>); every other
/// initializer stays frozen.
/// </param>
public sealed record TrainingGraphRequest(IReadOnlyList<LossTerm> Losses, IReadOnlyCollection<string> Trainable)
{
    /// <summary>
    /// Shapes to bind the inference model's data inputs to before differentiating (input name → dimensions), as the
    /// optimiser's specialize-shapes does. Needed when a gradient flows through a strided Conv or pooling whose spatial
    /// sizes are free dimensions (the transposed convolution's output padding depends on them). Empty: as declared.
    /// </summary>
    public IReadOnlyDictionary<string, long[]> InputShapes { get; init; } = new Dictionary<string, long[]>();
}
