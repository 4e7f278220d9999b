using EdgeRuntime.Pipelines.Metrics;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>One sample's model input, waiting to be batched with others for the same model.</summary>
public sealed class InferenceRequest
{
    /// <summary>The model input it feeds.</summary>
    public required string Input { get; init; }

    /// <summary>The input values of this one sample (no batch dimension), row-major.</summary>
    public required float[] Data { get; init; }

    /// <summary>The input's shape without the batch dimension.</summary>
    public required long[] Shape { get; init; }

    /// <summary>The pipeline's accounting.</summary>
    public required PipelineCounters Counters { get; init; }

    /// <summary>Called with the outputs, on the batcher's thread; it must not block for long.</summary>
    public required Action<InferenceReply> OnReply { get; init; }

    /// <summary>Called when the inference failed (the request is counted failed by the caller).</summary>
    public required Action<Exception> OnFailure { get; init; }

    internal bool SameShape(InferenceRequest other) => Input == other.Input && Shape.AsSpan().SequenceEqual(other.Shape);
}

/// <summary>One sample's outputs.</summary>
/// <param name="Version">The model version that computed them.</param>
/// <param name="Outputs">Output name → this sample's values and shape (batch dimension removed).</param>
/// <param name="BatchSize">How many requests ran in the same inference.</param>
public sealed record InferenceReply(long Version, IReadOnlyDictionary<string, OutputSlice> Outputs, int BatchSize);

/// <summary>One output of one sample.</summary>
/// <param name="Values">Row-major values.</param>
/// <param name="Shape">Shape without the batch dimension.</param>
public sealed record OutputSlice(float[] Values, long[] Shape);
