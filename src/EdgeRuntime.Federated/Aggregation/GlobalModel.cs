using System.Security.Cryptography;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Learning.Forecasting;

namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// The model an aggregator makes versions of: its ONNX template, the trainable tensors (the update layout) and how a
/// new version's file is made — the parameters written into the template's initializers, the version number into
/// <c>model_version</c>, the file written atomically and then verified before anyone publishes it: the IR verifier
/// passes, the file read back carries exactly the aggregated values (bit for bit), and ONNX Runtime runs it on a probe
/// input to finite outputs. Every version also names its trainable tensors in the metadata entry
/// <see cref="TrainableMetadataKey"/>, so a device can see before it sends anything whether its own trainable set is the
/// one the aggregator folds. Not thread-safe.
/// </summary>
public sealed class GlobalModel
{
    /// <summary>The ONNX metadata key under which a version lists the aggregator's trainable tensors, comma-separated.</summary>
    public const string TrainableMetadataKey = "edge.federated.trainable";

    private readonly byte[] _template;

    private GlobalModel(byte[] template, Model model, ParameterLayout layout, float[] initial)
    {
        _template = template;
        Name = model.Graph.Name;
        TemplateVersion = model.ModelVersion;
        Layout = layout;
        InitialParameters = initial;
        var listed = model.Metadata.LastOrDefault(m => m.Key == TrainableMetadataKey).Value;
        FleetTrainable = listed is null ? null : listed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The trainable tensors the file's <see cref="TrainableMetadataKey"/> names (an aggregator wrote it); null when the file does not say.</summary>
    public IReadOnlyList<string>? FleetTrainable { get; }

    /// <summary>The graph's name (for messages).</summary>
    public string Name { get; }

    /// <summary>The template's model_version.</summary>
    public long TemplateVersion { get; }

    /// <summary>The trainable tensors.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>The template's values of the trainable tensors.</summary>
    public float[] InitialParameters { get; }

    /// <summary>Reads the template and resolves the trainable tensors.</summary>
    /// <param name="path">The ONNX file (the first global version, or the model the fleet serves).</param>
    /// <param name="trainable">"all" (a forecaster's every parameter), "head" (last layer and biases) or initializer names.</param>
    /// <param name="controlVariates">The layout also carries SCAFFOLD's control variates (<see cref="ControlVariates"/>): each version's file holds the fleet's c next to the weights; a file without them starts c at 0.</param>
    /// <exception cref="ArgumentException">The file or the selection is not usable (one line says why).</exception>
    public static GlobalModel Load(string path, string trainable = "all", bool controlVariates = false)
    {
        byte[] bytes;
        Model model;
        try
        {
            bytes = File.ReadAllBytes(path);
            model = OnnxModelReader.Read(bytes, Path.GetFileName(path), Path.GetDirectoryName(Path.GetFullPath(path)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OnnxFormatException)
        {
            throw new ArgumentException($"model template '{path}': {ex.Message}", ex);
        }

        return FromModel(bytes, model, trainable, controlVariates);
    }

    /// <summary>As <see cref="Load"/>, from bytes.</summary>
    public static GlobalModel FromBytes(byte[] bytes, string trainable = "all", bool controlVariates = false)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return FromModel(bytes, OnnxModelReader.Read(bytes, "template.onnx", null), trainable, controlVariates);
    }

    /// <summary>The trainable names <paramref name="trainable"/> selects in <paramref name="model"/>.</summary>
    public static IReadOnlyList<string> Select(Model model, string trainable)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return trainable switch
            {
                "all" when model.Metadata.Any(m => m.Key == TrafficForecasterBuilder.KindKey && m.Value == TrafficForecasterBuilder.Kind) => TrafficForecasterBuilder.AllParameters,
                "all" => throw new ArgumentException("'all' is known only for models built by 'edgectl model create'; name the initializers or use 'head'"),
                "head" => TrainableSelection.DefaultHead(model),
                _ => TrainableSelection.Named(model, trainable.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            };
        }
        catch (TrainingGraphException ex)
        {
            throw new ArgumentException(ex.Message, ex);
        }
    }

    /// <summary>
    /// Writes version <paramref name="version"/> with <paramref name="parameters"/> to <paramref name="path"/> and verifies it.
    /// </summary>
    /// <returns>The file's sha256 (lower-case hex).</returns>
    /// <exception cref="InvalidDataException">The parameters are not finite or the written file does not verify (one line says why); nothing is left at <paramref name="path"/>.</exception>
    public string WriteVersion(long version, ReadOnlySpan<float> parameters, string path)
    {
        if (parameters.Length != Layout.Length)
        {
            throw new ArgumentException($"{parameters.Length} parameters for a layout of {Layout.Length}");
        }

        foreach (var x in parameters)
        {
            if (!float.IsFinite(x))
            {
                throw new InvalidDataException($"version {version} of {Name}: an aggregated parameter is not finite; the version is not written");
            }
        }

        var model = OnnxModelReader.Read(_template, "template.onnx", null);
        var named = Layout.Split(parameters);
        Learning.Training.TrainedParameters.ApplyTo(model, named.Where(p => !ControlVariates.IsControl(p.Key)).ToDictionary(StringComparer.Ordinal));
        // Control variates a template from another campaign carries and this layout does not: not copied on.
        foreach (var stale in model.Graph.Initializers.Where(v => ControlVariates.IsControl(v.Name) && !named.ContainsKey(v.Name) && !v.IsUsed).ToList())
        {
            model.Graph.RemoveValue(stale);
        }

        foreach (var (name, values) in named.Where(p => ControlVariates.IsControl(p.Key)))
        {
            // The fleet's control variate rides in the file as initializers no node reads.
            var tensor = Tensor.From<float>(values, [values.Length]);
            if (model.Graph.FindValue(name) is { Initializer: not null } existing)
            {
                model.Graph.SetInitializer(existing, tensor);
            }
            else
            {
                model.Graph.AddInitializer(name, tensor);
            }
        }

        model.ModelVersion = version;
        model.Metadata.RemoveAll(m => m.Key == TrainableMetadataKey);
        model.Metadata.Add(new KeyValuePair<string, string>(TrainableMetadataKey, string.Join(',', ControlVariates.ModelPart(Layout).Tensors.Select(t => t.Name))));
        var bytes = OnnxModelWriter.ToBytes(model);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllBytes(path, bytes);
        try
        {
            Verify(version, path, named);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Reads the trainable values out of a version file.</summary>
    public float[] ReadParameters(string path) => ReadParameters(OnnxModelReader.Read(path), path);

    /// <summary>Reads the trainable values out of a version's bytes (as delivered).</summary>
    public float[] ReadParameters(byte[] bytes) => ReadParameters(OnnxModelReader.Read(bytes, "version.onnx", null), "the delivered version");

    private float[] ReadParameters(Model model, string path)
    {
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, length) in Layout.Tensors)
        {
            // A version before the first SCAFFOLD aggregation (the template) has no control variate yet: c = 0.
            values[name] = model.Graph.FindValue(name)?.Initializer?.AsSpan<float>().ToArray()
                ?? (ControlVariates.IsControl(name) ? new float[length] : throw new InvalidDataException($"'{path}' has no initializer '{name}'"));
        }

        return Layout.Flatten(values);
    }

    private static GlobalModel FromModel(byte[] bytes, Model model, string trainable, bool controlVariates)
    {
        var names = Select(model, trainable);
        if (names.Count == 0)
        {
            throw new ArgumentException($"'{trainable}' selects no parameters of {model.Graph.Name}");
        }

        var tensors = new List<(string, int)>();
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var tensor = model.Graph.FindValue(name)!.Initializer!;
            if (tensor.ElementType != DataType.Float)
            {
                throw new ArgumentException($"parameter '{name}' is {DataTypes.Name(tensor.ElementType)}; only float parameters are federated");
            }

            tensors.Add((name, (int)tensor.ElementCount));
            values[name] = tensor.AsSpan<float>().ToArray();
        }

        var layout = new ParameterLayout(tensors);
        if (controlVariates)
        {
            layout = ControlVariates.Extend(layout);
            foreach (var (name, length) in layout.Tensors.Where(t => ControlVariates.IsControl(t.Name)))
            {
                // c starts at 0 whatever the file holds: a version of an earlier campaign carries that campaign's c,
                // which the devices of a new one (cᵢ = 0) must not inherit.
                values[name] = new float[length];
            }
        }

        return new GlobalModel(bytes, model, layout, layout.Flatten(values));
    }

    private void Verify(long version, string path, IReadOnlyDictionary<string, float[]> expected)
    {
        var bytes = File.ReadAllBytes(path);
        var written = OnnxModelReader.Read(bytes, Path.GetFileName(path), null);
        if (GraphVerifier.Verify(written) is { Count: > 0 } problems)
        {
            throw new InvalidDataException($"version {version} of {Name} does not verify: {problems[0]}");
        }

        if (written.ModelVersion != version)
        {
            throw new InvalidDataException($"version {version} of {Name} was written with model_version {written.ModelVersion}");
        }

        foreach (var (name, values) in expected)
        {
            var tensor = written.Graph.FindValue(name)?.Initializer;
            if (tensor is null || !tensor.AsSpan<float>().SequenceEqual(values))
            {
                throw new InvalidDataException($"version {version} of {Name}: '{name}' read back differs from what was aggregated");
            }
        }

        var input = written.Graph.Inputs.FirstOrDefault(i => i.Initializer is null);
        if (input?.TensorType is not { ElementType: DataType.Float, Shape: { } shape })
        {
            return;
        }

        var dims = shape.Dims.Select(d => d.Value ?? 1).ToArray();
        var probe = new float[dims.Aggregate(1L, (a, b) => a * b)];
        using var session = ModelSession.Create(bytes, new SessionSettings { IntraOpThreads = 1 });
        foreach (var output in session.RunFloat(input.Name, probe, dims))
        {
            if (output.Values.Any(v => !float.IsFinite(v)))
            {
                throw new InvalidDataException($"version {version} of {Name}: output '{output.Name}' is not finite on a zero input");
            }
        }
    }
}
