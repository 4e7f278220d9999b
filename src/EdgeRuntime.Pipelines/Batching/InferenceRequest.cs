using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Pipelines.Metrics;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>One sample's model input, waiting to be batched with others for the same model.</summary>
/// <param name="sample">The sample it came from.</param>
/// <param name="prepared">The model input the stage made of it.</param>
/// <param name="counters">The owning pipeline's accounting.</param>
/// <param name="client">Who hears of the outcome.</param>
public sealed class InferenceRequest(SensorSample sample, PreparedInput prepared, PipelineCounters counters, IInferenceClient client)
{
    /// <summary>The sample it came from.</summary>
    public SensorSample Sample { get; } = sample;

    /// <summary>The model input the stage made of the sample: input name, values without the batch dimension, shape.</summary>
    public PreparedInput Prepared { get; } = prepared;

    /// <summary>The owning pipeline's accounting.</summary>
    public PipelineCounters Counters { get; } = counters;

    /// <summary>Who hears of the outcome.</summary>
    public IInferenceClient Client { get; } = client;

    internal bool SameShape(InferenceRequest other) => Prepared.Input == other.Prepared.Input && Prepared.Shape.AsSpan().SequenceEqual(other.Prepared.Shape);
}

/// <summary>
/// Hears how its requests ended, on the batcher's thread or its completion worker's, never on both at once and in the
/// order the requests ran; it must not block for long.
/// </summary>
public interface IInferenceClient
{
    /// <summary>The request's outputs.</summary>
    void OnReply(InferenceRequest request, InferenceReply reply);

    /// <summary>The inference failed (the client counts it).</summary>
    void OnFailure(InferenceRequest request, Exception error);
}

/// <summary>One sample's share of an inference's outputs.</summary>
/// <param name="version">The model version that computed them.</param>
/// <param name="batch">The inference's outputs, shared by every sample in it.</param>
/// <param name="index">This sample's place in the batch.</param>
public readonly struct InferenceReply(long version, BatchOutputs batch, int index)
{
    /// <summary>The model version that computed the outputs.</summary>
    public long Version { get; } = version;

    /// <summary>How many requests ran in the same inference.</summary>
    public int BatchSize => batch.BatchSize;

    /// <summary>This sample's values of output <paramref name="output"/> (in the model's output order).</summary>
    public OutputSlice Output(int output) => batch.Slice(output, index);

    /// <summary>This sample's values of the output called <paramref name="name"/>; false when the model has none.</summary>
    public bool TryGetOutput(string name, out OutputSlice slice)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.Name(i) == name)
            {
                slice = batch.Slice(i, index);
                return true;
            }
        }

        slice = default;
        return false;
    }
}

/// <summary>One output of one sample.</summary>
/// <param name="Name">The output's name.</param>
/// <param name="Values">Row-major values.</param>
/// <param name="Shape">Shape without the batch dimension.</param>
public readonly record struct OutputSlice(string Name, ReadOnlyMemory<float> Values, long[] Shape);

/// <summary>
/// The outputs of one inference over a batch, shared by the batch's replies. An output whose first dimension is the
/// batch size is split per sample; any other (a model-wide constant, say) is given whole to every sample.
/// </summary>
public sealed class BatchOutputs
{
    private readonly OutputLayout _layout;
    private readonly float[][] _values;

    /// <summary>Wraps <paramref name="outputs"/> of an inference over <paramref name="batchSize"/> samples.</summary>
    internal BatchOutputs(IReadOnlyList<FloatOutput> outputs, int batchSize)
        : this(new OutputLayout(outputs, batchSize), [.. outputs.Select(o => o.Values)])
    {
    }

    internal BatchOutputs(OutputLayout layout, float[][] values)
    {
        _layout = layout;
        _values = values;
    }

    /// <summary>How many samples ran.</summary>
    public int BatchSize => _layout.BatchSize;

    /// <summary>How many outputs.</summary>
    public int Count => _values.Length;

    /// <summary>The name of output <paramref name="output"/>.</summary>
    public string Name(int output) => _layout.Names[output];

    /// <summary>Sample <paramref name="index"/>'s part of output <paramref name="output"/>.</summary>
    public OutputSlice Slice(int output, int index)
    {
        var values = _values[output];
        var length = _layout.ItemLengths[output];
        return new OutputSlice(_layout.Names[output], length < 0 ? values : values.AsMemory(index * length, length), _layout.ItemShapes[output]);
    }
}

/// <summary>Names and per-sample shapes of a batch's outputs: the same for every run of one bound shape.</summary>
internal sealed class OutputLayout
{
    public OutputLayout(IReadOnlyList<FloatOutput> outputs, int batchSize)
    {
        BatchSize = batchSize;
        Names = new string[outputs.Count];
        ItemShapes = new long[outputs.Count][];
        ItemLengths = new int[outputs.Count];
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var split = output.Shape.Length > 0 && output.Shape[0] == batchSize;
            Names[i] = output.Name;
            ItemShapes[i] = split ? output.Shape[1..] : output.Shape;
            ItemLengths[i] = split ? output.Values.Length / batchSize : -1;
        }
    }

    public int BatchSize { get; }

    public string[] Names { get; }

    public long[][] ItemShapes { get; }

    public int[] ItemLengths { get; }
}
