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
    private readonly RunOptions _runOptions = new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
    private readonly ExecutionProvider _provider;
    private readonly List<BoundRun> _bound = [];
    private bool _disposed;

    private ModelSession(InferenceSession session, ExecutionProvider provider)
    {
        _session = session;
        _provider = provider;
    }

    /// <summary>Input names in the model's order (initializers a caller may override are not among them: see <see cref="FeedNames"/>).</summary>
    public IReadOnlyList<string> InputNames => _session.InputNames;

    /// <summary>Every name a run accepts a value for: the inputs, then the initializers listed as inputs (overridable defaults).</summary>
    public IReadOnlyList<string> FeedNames => [.. _session.InputNames, .. _session.OverridableInitializerMetadata.Keys];

    /// <summary>Output names in the model's order.</summary>
    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    /// <summary>Input metadata (element types, dimensions; -1 or symbols for free dimensions).</summary>
    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.InputMetadata;

    /// <summary>The outputs' names, types and dimensions.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata => _session.OutputMetadata;

    /// <summary>The model's metadata_props (key → value), as ONNX Runtime read them.</summary>
    public IReadOnlyDictionary<string, string> CustomMetadata => _session.ModelMetadata.CustomMetadataMap;

    /// <summary>Creates a session; throws <see cref="OnnxRuntimeException"/> when ONNX Runtime refuses the model.</summary>
    public static ModelSession Create(byte[] model, SessionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        settings ??= new SessionSettings();
        using var options = settings.ToSessionOptions();
        return new ModelSession(new InferenceSession(model, options), settings.Provider);
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
            using var runOptions = new RunOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
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

    /// <summary>
    /// Buffers bound to the session for runs on <paramref name="input"/> with exactly <paramref name="shape"/>, or null
    /// when that cannot pay or cannot work: a provider other than the CPU (ONNX Runtime copies a bound input to the
    /// device once, at binding), a model with other inputs, a non-float input or output, or an output whose shape is
    /// known neither from the model's declared dimensions nor from <paramref name="observedOutputShapes"/> (the shapes
    /// an unbound run on this input shape gave, in output order). An observed shape that in truth depends on the
    /// values makes a later <see cref="BoundRun.Run"/> fail, and the caller runs unbound. The session owns what it
    /// returns; one user at a time.
    /// </summary>
    public BoundRun? TryBind(string input, long[] shape, IReadOnlyList<long[]>? observedOutputShapes = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (_provider != ExecutionProvider.Cpu || _session.InputNames.Count != 1 || _session.InputNames[0] != input)
        {
            return null;
        }

        var inputMeta = _session.InputMetadata[input];
        if (!inputMeta.IsTensor || inputMeta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float || inputMeta.Dimensions.Length != shape.Length)
        {
            return null;
        }

        if (observedOutputShapes is not null && observedOutputShapes.Count != _session.OutputNames.Count)
        {
            return null;
        }

        var outputs = new List<(string, long[])>(_session.OutputNames.Count);
        for (var i = 0; i < _session.OutputNames.Count; i++)
        {
            var meta = _session.OutputMetadata[_session.OutputNames[i]];
            if (!meta.IsTensor || meta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            {
                return null;
            }

            var outputShape = DeclaredShape(meta, inputMeta, shape);
            if (outputShape is null && observedOutputShapes?[i] is { } observed && Fits(meta, observed))
            {
                outputShape = [.. observed];
            }

            if (outputShape is null)
            {
                return null;
            }

            outputs.Add((_session.OutputNames[i], outputShape));
        }

        lock (_bound)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var run = new BoundRun(_session, input, [.. shape], outputs);
            _bound.Add(run);
            return run;
        }
    }

    // The output's shape as its declared dimensions give it: fixed ones, and symbols the input shares.
    private static long[]? DeclaredShape(NodeMetadata output, NodeMetadata input, long[] inputShape)
    {
        var shape = new long[output.Dimensions.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            var symbol = output.SymbolicDimensions[d];
            var fromInput = string.IsNullOrEmpty(symbol) ? -1 : Array.IndexOf(input.SymbolicDimensions, symbol);
            shape[d] = output.Dimensions[d] > 0 ? output.Dimensions[d] : fromInput >= 0 ? inputShape[fromInput] : -1;
            if (shape[d] < 0)
            {
                return null;
            }
        }

        return shape;
    }

    private static bool Fits(NodeMetadata output, long[] observed)
    {
        if (output.Dimensions.Length != observed.Length)
        {
            return false;
        }

        for (var d = 0; d < observed.Length; d++)
        {
            if (observed[d] < 0 || (output.Dimensions[d] > 0 && output.Dimensions[d] != observed[d]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_bound)
        {
            _disposed = true;
            foreach (var run in _bound)
            {
                run.Dispose();
            }

            _bound.Clear();
        }

        _session.Dispose();
        _runOptions.Dispose();
    }
}

/// <summary>One float output of <see cref="ModelSession.RunFloat"/>.</summary>
/// <param name="Name">Output name.</param>
/// <param name="Values">Row-major values.</param>
/// <param name="Shape">Dimensions.</param>
public sealed record FloatOutput(string Name, float[] Values, long[] Shape);
