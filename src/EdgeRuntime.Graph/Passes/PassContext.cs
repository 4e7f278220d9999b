using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes;

/// <summary>Where the optimised model will run, which decides the fusions worth doing.</summary>
/// <param name="ExecutionProvider">"cpu", "cuda" or "tensorrt".</param>
/// <param name="SupportsMicrosoftContribOps">Whether the runtime has ONNX Runtime's com.microsoft fused kernels (Attention, Gelu, …).</param>
public sealed record OptimizationTarget(string ExecutionProvider, bool SupportsMicrosoftContribOps)
{
    /// <summary>ONNX Runtime on the CPU.</summary>
    public static OptimizationTarget OnnxRuntimeCpu { get; } = new("cpu", true);

    /// <summary>A runtime with only standard ONNX operators.</summary>
    public static OptimizationTarget StandardOnnx { get; } = new("standard", false);
}

/// <summary>Everything a pass may need beyond the model. One per optimisation run.</summary>
public sealed partial class PassContext
{
    /// <summary>The execution target.</summary>
    public OptimizationTarget Target { get; init; } = OptimizationTarget.OnnxRuntimeCpu;

    /// <summary>Evaluates constant subgraphs; without one, only constants that need no computation are folded.</summary>
    public IConstantEvaluator? Evaluator { get; init; }

    /// <summary>Largest tensor constant folding may create, in bytes (a ConstantOfShape can declare gigabytes). Default 16 MiB.</summary>
    public long FoldSizeLimitBytes { get; init; } = 16L << 20;

    /// <summary>Deployment shapes for graph inputs (shape specialisation), by input name.</summary>
    public IReadOnlyDictionary<string, long[]> InputShapes { get; init; } = new Dictionary<string, long[]>();

    /// <summary>The outputs the deployment consumes (existing outputs or intermediate values); empty keeps all.</summary>
    public IReadOnlyList<string> KeepOutputs { get; init; } = [];

    /// <summary>Receives a line per notable action (for progress output and reports).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Names of nodes the current pass created or changed; the pass manager collects them per pass.</summary>
    internal HashSet<string> Touched { get; } = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="node"/> was created or changed (reports name it when verification fails).</summary>
    public void Touch(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        Touched.Add(node.Name);
    }
}
