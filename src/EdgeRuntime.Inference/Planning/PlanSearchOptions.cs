namespace EdgeRuntime.Inference.Planning;

/// <summary>How hard the plan search looks (<c>Serving:Planning</c> in the daemon; flags of <c>edgectl plan</c>).</summary>
public sealed class PlanSearchOptions
{
    /// <summary>Wall-clock budget per model, building candidates included. Default 60 s (sized for 2 cores).</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Our optimiser levels tried (0 = the model as delivered). Default 0 and 3.</summary>
    public IReadOnlyList<int> OptimizerLevels { get; set; } = [0, 3];

    /// <summary>Whether reduced precisions (int8; fp16 on GPU providers) are tried. Default true.</summary>
    public bool TryReducedPrecision { get; set; } = true;

    /// <summary>
    /// λ of the objective: a plan's score is its median latency × (1 + λ · error), error = 1 − its lowest cosine
    /// similarity to the original (0 for float32 plans within rounding); the lowest score within tolerance wins. Default 1:
    /// a plan whose outputs turn 1% away must be over 1% faster.
    /// </summary>
    public double Lambda { get; set; } = 1.0;

    /// <summary>What a reduced-precision plan must keep (cosine, worst element).</summary>
    public PlanTolerance Tolerance { get; set; } = new();

    /// <summary>Random input sets to check accuracy on, besides the recorded ones. Default 3.</summary>
    public int RandomSamples { get; set; } = 3;

    /// <summary>Plans from the first stage (graph × precision × ORT level) whose threads and spinning are then searched. Default 2.</summary>
    public int Finalists { get; set; } = 2;
}
