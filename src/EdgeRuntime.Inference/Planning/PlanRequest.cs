using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Planning;

/// <summary>What to plan: a model file, its deployment shapes and inputs, the provider it will run on.</summary>
public sealed record PlanRequest
{
    /// <summary>The ONNX file (the delivered, float32 original).</summary>
    public required string ModelPath { get; init; }

    /// <summary>Deployment shapes per input (binds free dimensions).</summary>
    public IReadOnlyDictionary<string, long[]> Shapes { get; init; } = new Dictionary<string, long[]>();

    /// <summary>Recorded input sets (real data): accuracy is checked on them too, and int8-static calibrates on them.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, Tensor>> RecordedSamples { get; init; } = [];

    /// <summary>Inputs with fixed values in every generated sample (a sample rate).</summary>
    public IReadOnlyDictionary<string, Tensor> FixedInputs { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>The provider plans run on (after <see cref="ProviderChoice"/>).</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;
}
