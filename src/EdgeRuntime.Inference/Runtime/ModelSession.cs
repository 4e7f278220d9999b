using EdgeRuntime.Graph.Ir;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Runtime;

/// <summary>
/// An ONNX Runtime session over an ONNX model held in memory, with IR tensors in and out. Owns the native
/// session; dispose it. Runs may be called from several threads at once (ONNX Runtime allows it).
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;

    // Read-only run settings, shared by concurrent runs of the serving hot path.
    private readonly RunOptions _runOptions = new();

    private ModelSession(InferenceSession session) => _session = session;

    /// <summary>Input names in the model's order.</summary>
    public IReadOnlyList<string> InputNames => _session.InputNames;

    /// <summary>Output names in the model's order.</summary>
    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    /// <summary>Input metadata (element types, dimensions; -1 or symbols for free dimensions).</summary>
    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.InputMetadata;

    /// <summary>The model's metadata_props (key → value), as ONNX Runtime read them.</summary>
    public IReadOnlyDictionary<string, string> CustomMetadata => _session.ModelMetadata.CustomMetadataMap;

    /// <summary>Creates a session; throws <see cref="OnnxRuntimeException"/> when ONNX Runtime refuses the model.</summary>
    public static ModelSession Create(byte[] model, SessionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var options = (settings ?? new SessionSettings()).ToSessionOptions();
        return new ModelSession(new InferenceSession(model, options));
    }

    /// <summary>Runs the model; returns the requested outputs (all when <paramref name="outputNames"/> is null).</summary>
    public Dictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var names = inputs.Keys.ToList();
        var values = new List<OrtValue>(names.Count);
        try
        {
            foreach (var name in names)
            {
                values.Add(OrtTensors.ToOrtValue(inputs[name]));
            }

            var wanted = outputNames ?? OutputNames;
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, names, values, wanted);
            var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            for (var i = 0; i < wanted.Count; i++)
            {
                outputs[wanted[i]] = OrtTensors.FromOrtValue(results[i]);
            }

            return outputs;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs a model on one float input without copying it (the array is pinned for the call) and returns every float
    /// output as a new array with its shape. The serving hot path: no intermediate tensors.
    /// </summary>
    public List<FloatOutput> RunFloat(string input, float[] data, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var results = _session.Run(_runOptions, [input], [value], OutputNames);
        var outputs = new List<FloatOutput>(results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            var info = results[i].GetTensorTypeAndShape();
            if (info.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            {
                outputs.Add(new FloatOutput(OutputNames[i], results[i].GetTensorDataAsSpan<float>().ToArray(), info.Shape));
            }
        }

        return outputs;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}

/// <summary>One float output of <see cref="ModelSession.RunFloat"/>.</summary>
/// <param name="Name">Output name.</param>
/// <param name="Values">Row-major values.</param>
/// <param name="Shape">Dimensions.</param>
public sealed record FloatOutput(string Name, float[] Values, long[] Shape);
