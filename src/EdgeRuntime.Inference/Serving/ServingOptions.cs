using EdgeRuntime.Graph.Passes;

namespace EdgeRuntime.Inference.Serving;

/// <summary>How models are prepared for service on this device (<c>Serving</c> section).</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Serving";

    /// <summary>Graph optimisation level for delivered models, O0 (as delivered) to O3. Default O3.</summary>
    public OptimizationLevel OptimizationLevel { get; set; } = OptimizationLevel.O3;

    /// <summary>
    /// Whether to time every verified variant (each level, and the model as delivered) on this device and keep the
    /// fastest, rather than trusting the level. Costs some seconds per new version. Default true.
    /// </summary>
    public bool MeasureVariants { get; set; } = true;

    /// <summary>ONNX Runtime intra-op threads per session; 0 lets it choose. Default 0.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Inferences run on a new version before it takes requests. Default 3.</summary>
    public int WarmupRuns { get; set; } = 3;

    /// <summary>
    /// Whether each new model version gets a measured plan search (provider × ONNX Runtime level × our level × precision ×
    /// threads × spinning, checked against the float32 original) whose result is cached; otherwise it runs as
    /// <see cref="OptimizationLevel"/> and <see cref="IntraOpThreads"/> say. Default true.
    /// </summary>
    public bool PlanSearch { get; set; } = true;

    /// <summary>Wall-clock budget of one plan search in seconds (building candidates included). Default 60, sized for 2 cores.</summary>
    public int PlanBudgetSeconds { get; set; } = 60;

    /// <summary>
    /// The execution provider to serve on: auto (the best that loads: TensorRT, then CUDA, then the CPU), tensorrt, cuda or
    /// cpu. One that does not load here falls back to the best that does, with one line in the log and the status. Default auto.
    /// </summary>
    public string Provider { get; set; } = "auto";
}
