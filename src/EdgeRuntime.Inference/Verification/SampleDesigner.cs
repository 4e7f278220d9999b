using System.Globalization;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// The input sets a verification tries, before the original has said which it accepts: recorded sets; random sets at
/// the default sizes; every free dimension at 1, at distinct small sizes (2, 3, 5, … per symbol, so dimensions that
/// merely look alike are not confused) and at a large size; each integer input at t − 1, t and t + 1 for every
/// constant it is compared with; integers of both signs; booleans all true and all false; and the initializers a
/// caller may override, perturbed. Deterministic.
/// </summary>
internal static class SampleDesigner
{
    private const int MaxThresholdSamples = 24;
    private static readonly long[] DistinctSizes = [2, 3, 5, 7, 11, 13, 17, 19];

    public static List<VerificationSample> Design(Model model, VerificationOptions options, IReadOnlyList<Value> overridable)
    {
        options = WithBoundSymbols(model, options);
        var samples = new List<VerificationSample>();
        samples.AddRange(options.RecordedSamples.Select((s, i) => new VerificationSample($"recorded {i + 1}", s)));
        var free = FreeDimensions(model, options);
        var defaults = new Dictionary<string, long>(free, StringComparer.Ordinal);
        ShrinkToBudget(model, options, defaults);
        for (var seed = 1; seed <= options.RandomSamples; seed++)
        {
            samples.Add(new VerificationSample($"random {seed}", Generate(model, options, seed, defaults)));
        }

        if (options.RandomSamples == 0)
        {
            return samples;
        }

        if (free.Count > 0)
        {
            samples.Add(new VerificationSample($"free dimensions {Describe(free.Keys, _ => 1)}", Generate(model, options, 101, free.Keys.ToDictionary(k => k, _ => 1L))));
            var distinct = free.Keys.Select((k, i) => (k, DistinctSizes[i % DistinctSizes.Length])).ToDictionary(p => p.k, p => p.Item2);
            ShrinkToBudget(model, options, distinct);
            samples.Add(new VerificationSample($"free dimensions {Describe(free.Keys, k => distinct[k])}", Generate(model, options, 102, distinct)));
            var large = free.ToDictionary(p => p.Key, p => Math.Clamp(p.Value * 4, 64, 1024));
            ShrinkToBudget(model, options, large);
            samples.Add(new VerificationSample($"free dimensions {Describe(free.Keys, k => large[k])}", Generate(model, options, 103, large)));
        }

        var dataInputs = model.Graph.Inputs.Where(i => i.Initializer is null && !options.FixedInputs.ContainsKey(i.Name) && i.TensorType is not null).ToList();
        var integers = dataInputs.Where(i => IsInteger(i.TensorType!.ElementType)).ToList();
        var thresholdSamples = 0;
        foreach (var input in integers)
        {
            foreach (var threshold in ComparisonThresholds.For(input))
            {
                foreach (var value in new[] { threshold - 1, threshold, threshold + 1 }.Distinct())
                {
                    if (thresholdSamples++ >= MaxThresholdSamples)
                    {
                        break;
                    }

                    var inputs = Generate(model, options, 200 + thresholdSamples, defaults);
                    inputs[input.Name] = InputGenerator.Filled(input.TensorType!.ElementType, [.. inputs[input.Name].Dims], value);
                    samples.Add(new VerificationSample(string.Create(CultureInfo.InvariantCulture, $"{input.Name} = {value} (comparison threshold {threshold})"), inputs));
                }
            }
        }

        if (integers.Count > 0)
        {
            samples.Add(new VerificationSample("integers of both signs", InputGenerator.Generate(model, 301, options.Shapes, options.FixedInputs, defaults, signedIntegers: true)));
        }

        var booleans = dataInputs.Where(i => i.TensorType!.ElementType == DataType.Bool).ToList();
        foreach (var flag in new[] { true, false })
        {
            if (booleans.Count == 0)
            {
                break;
            }

            var inputs = Generate(model, options, flag ? 401 : 402, defaults);
            foreach (var input in booleans)
            {
                inputs[input.Name] = InputGenerator.Filled(DataType.Bool, [.. inputs[input.Name].Dims], flag ? 1 : 0);
            }

            samples.Add(new VerificationSample($"booleans all {(flag ? "true" : "false")}", inputs));
        }

        foreach (var floats in new[] { true, false })
        {
            var chosen = overridable.Where(v => DataTypes.IsFloatingPoint(v.Initializer!.ElementType) == floats).ToList();
            if (chosen.Count == 0)
            {
                continue;
            }

            var inputs = Generate(model, options, floats ? 501 : 502, defaults);
            var random = new Random(floats ? 503 : 504);
            foreach (var initializer in chosen)
            {
                if (Perturbed(initializer.Initializer!, random) is { } perturbed)
                {
                    inputs[initializer.Name] = perturbed;
                }
            }

            samples.Add(new VerificationSample($"{(floats ? "floating-point" : "integer")} initializer inputs perturbed ({chosen.Count})", inputs));
        }

        return samples;
    }

    /// <summary>More input sets for reaching If branches the designed ones miss: scaled, zeroed and sign-flipped data.</summary>
    public static IEnumerable<VerificationSample> Search(Model model, VerificationOptions options)
    {
        options = WithBoundSymbols(model, options);
        var defaults = FreeDimensions(model, options);
        ShrinkToBudget(model, options, defaults);
        foreach (var (label, factor, seed) in new[] { ("floats × 0", 0.0, 601), ("floats × 100", 100.0, 602), ("floats × −100", -100.0, 603), ("floats × 1e6", 1e6, 604) })
        {
            var inputs = Generate(model, options, seed, defaults);
            foreach (var (name, tensor) in inputs.ToList())
            {
                if (!options.FixedInputs.ContainsKey(name) && tensor.ElementType is DataType.Float or DataType.Double)
                {
                    inputs[name] = Scale(tensor, factor);
                }
            }

            yield return new VerificationSample($"coverage search: {label}", inputs);
        }

        foreach (var (label, value, seed) in new[] { ("integers 0", 0L, 611), ("integers −1", -1L, 612), ("integers 1000", 1000L, 613) })
        {
            var inputs = Generate(model, options, seed, defaults);
            foreach (var input in model.Graph.Inputs.Where(i => i.Initializer is null && !options.FixedInputs.ContainsKey(i.Name) && i.TensorType is { } t && IsInteger(t.ElementType)))
            {
                inputs[input.Name] = InputGenerator.Filled(input.TensorType!.ElementType, [.. inputs[input.Name].Dims], value);
            }

            yield return new VerificationSample($"coverage search: {label}", inputs);
        }
    }

    /// <summary>
    /// The options with every input whose free dimensions a deployment shape binds through a shared symbol given a full
    /// shape too (--shape input_ids=1x128 binds the attention mask's [batch, sequence] as well).
    /// </summary>
    private static VerificationOptions WithBoundSymbols(Model model, VerificationOptions options)
    {
        if (options.Shapes.Count == 0)
        {
            return options;
        }

        IReadOnlyDictionary<string, long> symbols;
        try
        {
            symbols = Graph.Passes.Restructuring.SpecializeShapes.BindSymbols(model, options.Shapes);
        }
        catch (ArgumentException)
        {
            return options;
        }

        var shapes = new Dictionary<string, long[]>(options.Shapes, StringComparer.Ordinal);
        foreach (var input in model.Graph.Inputs.Where(i => i.Initializer is null && !shapes.ContainsKey(i.Name)))
        {
            if (input.TensorType?.Shape is { } shape && shape.Dims.Any(d => d.Symbol is { } s && symbols.ContainsKey(s)) &&
                shape.Dims.All(d => d.IsKnown || (d.Symbol is { } t && symbols.ContainsKey(t))))
            {
                shapes[input.Name] = [.. shape.Dims.Select(d => d.Value ?? symbols[d.Symbol!])];
            }
        }

        return options with { Shapes = shapes };
    }

    /// <summary>The free dimensions of the inputs not bound by a deployment shape, with their default sizes.</summary>
    private static Dictionary<string, long> FreeDimensions(Model model, VerificationOptions options)
    {
        var free = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var input in model.Graph.Inputs.Where(i => i.Initializer is null && !options.Shapes.ContainsKey(i.Name) && !options.FixedInputs.ContainsKey(i.Name)))
        {
            if (input.TensorType?.Shape is not { } shape)
            {
                continue;
            }

            var defaults = InputGenerator.DefaultDims(shape);
            for (var axis = 0; axis < shape.Rank; axis++)
            {
                if (!shape.Dims[axis].IsKnown)
                {
                    free.TryAdd(InputGenerator.FreeDimensionKey(input, axis, shape.Dims[axis]), defaults[axis]);
                }
            }
        }

        return free;
    }

    private static void ShrinkToBudget(Model model, VerificationOptions options, Dictionary<string, long> sizes)
    {
        for (var round = 0; round < 16; round++)
        {
            var largest = model.Graph.Inputs.Where(i => i.Initializer is null && !options.Shapes.ContainsKey(i.Name) && i.TensorType?.Shape is not null)
                .Select(i => i.TensorType!.Shape!.Dims.Select((d, axis) => d.Value ?? sizes.GetValueOrDefault(InputGenerator.FreeDimensionKey(i, axis, d), 1)).Aggregate(1.0, (a, b) => a * b))
                .DefaultIfEmpty(0)
                .Max();
            if (largest <= options.MaxInputElements)
            {
                return;
            }

            foreach (var key in sizes.Keys.ToList())
            {
                sizes[key] = sizes[key] > 2 ? sizes[key] / 2 : sizes[key];
            }
        }
    }

    private static Dictionary<string, Tensor> Generate(Model model, VerificationOptions options, int seed, IReadOnlyDictionary<string, long>? sizes = null) =>
        InputGenerator.Generate(model, seed, options.Shapes, options.FixedInputs, sizes);

    private static string Describe(IEnumerable<string> keys, Func<string, long> size) =>
        string.Join(", ", keys.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k}={size(k)}")));

    private static bool IsInteger(DataType type) => type is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64 or DataType.UInt8 or DataType.UInt16 or DataType.UInt32;

    /// <summary>A different value of the same type and shape: floats ×1.5 plus noise, integers ±1, booleans flipped.</summary>
    private static Tensor? Perturbed(Tensor tensor, Random random)
    {
        var dims = tensor.Dims.ToArray();
        switch (tensor.ElementType)
        {
            case DataType.Float:
                return Tensor.From<float>([.. tensor.AsSpan<float>().ToArray().Select(v => (float)((v * 1.5) + (random.NextDouble() - 0.5)))], dims);
            case DataType.Double:
                return Tensor.From<double>([.. tensor.AsSpan<double>().ToArray().Select(v => (v * 1.5) + (random.NextDouble() - 0.5))], dims);
            case DataType.Float16:
                return Tensor.From<Half>([.. tensor.AsSpan<Half>().ToArray().Select(v => (Half)(((double)v * 1.5) + (random.NextDouble() - 0.5)))], dims);
            case DataType.Bool:
                return Tensor.From<bool>([.. tensor.Data.Span.ToArray().Select(b => b == 0)], dims);
            case var type when IsInteger(type):
                return Narrow(type, [.. tensor.ToInt64Array().Select(v => v + random.Next(-1, 2))], dims);
            default:
                return null;
        }
    }

    private static Tensor Narrow(DataType type, long[] values, long[] dims) => type switch
    {
        DataType.Int64 => Tensor.From<long>(values, dims),
        DataType.Int32 => Tensor.From<int>([.. values.Select(v => unchecked((int)v))], dims),
        DataType.Int16 => Tensor.From<short>([.. values.Select(v => unchecked((short)v))], dims),
        DataType.Int8 => Tensor.From<sbyte>([.. values.Select(v => unchecked((sbyte)v))], dims),
        DataType.UInt8 => Tensor.From<byte>([.. values.Select(v => unchecked((byte)v))], dims),
        DataType.UInt16 => Tensor.From<ushort>([.. values.Select(v => unchecked((ushort)v))], dims),
        DataType.UInt32 => Tensor.From<uint>([.. values.Select(v => unchecked((uint)v))], dims),
        _ => throw new NotSupportedException($"{DataTypes.Name(type)} initializers are not perturbed"),
    };

    private static Tensor Scale(Tensor tensor, double factor) => tensor.ElementType == DataType.Double
        ? Tensor.From<double>([.. tensor.AsSpan<double>().ToArray().Select(v => v * factor)], [.. tensor.Dims])
        : Tensor.From<float>([.. tensor.AsSpan<float>().ToArray().Select(v => (float)(v * factor))], [.. tensor.Dims]);
}
