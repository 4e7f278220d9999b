using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// Random model inputs that stay within what each input means: integer ids index their embedding table
/// (the range comes from the Gather they feed), masks are 0/1, other integers are small and non-negative,
/// floats lie in [-1, 1). Free dimensions take the sizes given, else 1 for the first and a small default
/// for the rest. Deterministic for a seed.
/// </summary>
public static class InputGenerator
{
    private static readonly string[] PassThroughOps = ["Cast", "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Identity", "Expand"];

    /// <summary>Inputs for every graph input that is not an (overridable) initializer.</summary>
    /// <param name="model">The model.</param>
    /// <param name="seed">Seed of the random generator.</param>
    /// <param name="shapes">Full shapes per input name, overriding the model's free dimensions.</param>
    /// <param name="fixedValues">Inputs with a meaning random values would break (a sample rate), used as given.</param>
    /// <param name="freeDimensionSizes">
    /// Sizes for free dimensions by <see cref="FreeDimensionKey"/> (a symbol binds every dimension that names it);
    /// the rest take <see cref="DefaultDims"/>.
    /// </param>
    /// <param name="signedIntegers">Draw integers from [−n, n) instead of [0, n) (n: the indexed table's size, else 4).</param>
    /// <exception cref="NotSupportedException">An input is not a tensor (sequence, map, optional).</exception>
    public static Dictionary<string, Tensor> Generate(
        Model model,
        int seed,
        IReadOnlyDictionary<string, long[]>? shapes = null,
        IReadOnlyDictionary<string, Tensor>? fixedValues = null,
        IReadOnlyDictionary<string, long>? freeDimensionSizes = null,
        bool signedIntegers = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var random = new Random(seed);
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var input in model.Graph.Inputs.Where(i => i.Initializer is null))
        {
            if (input.Type is not TensorType tensorType)
            {
                throw new NotSupportedException($"input '{input.Name}' is a {input.Type?.ToString() ?? "value of unknown type"}; only tensor inputs can be generated");
            }

            if (fixedValues?.GetValueOrDefault(input.Name) is { } given)
            {
                inputs[input.Name] = given;
                continue;
            }

            var dims = shapes?.GetValueOrDefault(input.Name) ?? Dims(input, tensorType.Shape, freeDimensionSizes);
            inputs[input.Name] = Random(input, tensorType.ElementType, dims, random, signedIntegers);
        }

        return inputs;
    }

    /// <summary>How a free dimension is named for <see cref="Generate"/>: its symbol, else "input[axis]".</summary>
    public static string FreeDimensionKey(Value input, int axis, Dim dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return dim.Symbol ?? $"{input.Name}[{axis}]";
    }

    /// <summary>A tensor of <paramref name="type"/> and <paramref name="dims"/> with every element <paramref name="value"/> (integers and bool).</summary>
    public static Tensor Filled(DataType type, long[] dims, long value)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var count = dims.Aggregate(1L, (a, b) => a * b);
        return type == DataType.Bool
            ? Tensor.From<bool>([.. Enumerable.Repeat(value != 0, (int)count)], dims)
            : Narrow(type, [.. Enumerable.Repeat(value, (int)count)], dims);
    }

    private static long[] Dims(Value input, TensorShape? shape, IReadOnlyDictionary<string, long>? sizes)
    {
        var defaults = DefaultDims(shape);
        if (shape is null || sizes is null)
        {
            return defaults;
        }

        return [.. shape.Dims.Select((d, i) => d.Value ?? sizes.GetValueOrDefault(FreeDimensionKey(input, i, d), defaults[i]))];
    }

    /// <summary>Sizes for a shape's dimensions: known ones as they are, free ones by position.</summary>
    public static long[] DefaultDims(TensorShape? shape)
    {
        if (shape is null)
        {
            return [1];
        }

        return [.. shape.Dims.Select((d, i) => d.Value ?? (i == 0 ? 1 : shape.Rank == 4 ? 224 : 16))];
    }

    private static Tensor Random(Value input, DataType type, long[] dims, Random random, bool signedIntegers)
    {
        var count = dims.Aggregate(1L, (a, b) => a * b);
        switch (type)
        {
            case DataType.Float:
                return Tensor.From<float>(Floats(count, random).Select(v => (float)v).ToArray(), dims);
            case DataType.Double:
                return Tensor.From<double>(Floats(count, random).ToArray(), dims);
            case DataType.Float16:
                return Tensor.From<Half>(Floats(count, random).Select(v => (Half)v).ToArray(), dims);
            case DataType.Bool:
                return Tensor.From<bool>(Enumerable.Range(0, (int)count).Select(_ => random.Next(2) == 1).ToArray(), dims);
            case DataType.String:
                return Tensor.FromStrings(dims, Enumerable.Range(0, (int)count).Select(_ => (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(Word(random))));
            default:
                var values = Integers(input, count, random, signedIntegers && type is not (DataType.UInt8 or DataType.UInt16 or DataType.UInt32 or DataType.UInt64));
                return Narrow(type, values, dims);
        }
    }

    private static IEnumerable<double> Floats(long count, Random random)
    {
        for (long i = 0; i < count; i++)
        {
            yield return (random.NextDouble() * 2) - 1;
        }
    }

    private static long[] Integers(Value input, long count, Random random, bool signed)
    {
        var values = new long[count];
        if (input.Name.Contains("mask", StringComparison.OrdinalIgnoreCase))
        {
            // Attend to most positions, never to none of them.
            for (long i = 0; i < count; i++)
            {
                values[i] = i == 0 || random.NextDouble() < 0.85 ? 1 : 0;
            }

            return values;
        }

        var upper = IndexRange(input) ?? 4;
        for (long i = 0; i < count; i++)
        {
            values[i] = signed ? random.NextInt64(-upper, upper) : random.NextInt64(upper);
        }

        return values;
    }

    /// <summary>The size of the first dimension of the table this input indexes through Gather, if any.</summary>
    private static long? IndexRange(Value input)
    {
        var frontier = new Queue<Value>([input]);
        var seen = new HashSet<Value>();
        while (frontier.TryDequeue(out var value))
        {
            if (!seen.Add(value))
            {
                continue;
            }

            foreach (var use in value.Uses)
            {
                var node = use.Node;
                if (node.Is("Gather") && use.InputIndex == 1 && node.Input(0)?.TensorType?.Shape is { Rank: > 0 } table)
                {
                    var axis = node.GetInt("axis", 0);
                    var dim = table.Dims[(int)(axis < 0 ? axis + table.Rank : axis)];
                    if (dim.Value is { } size)
                    {
                        return size;
                    }
                }

                if (PassThroughOps.Contains(node.OpType) && node.Domain.Length == 0 && use.InputIndex == 0)
                {
                    foreach (var output in node.Outputs.OfType<Value>())
                    {
                        frontier.Enqueue(output);
                    }
                }
            }
        }

        return null;
    }

    private static Tensor Narrow(DataType type, long[] values, long[] dims) => type switch
    {
        DataType.Int64 => Tensor.From<long>(values, dims),
        DataType.Int32 => Tensor.From<int>(values.Select(v => (int)v).ToArray(), dims),
        DataType.Int16 => Tensor.From<short>(values.Select(v => (short)v).ToArray(), dims),
        DataType.Int8 => Tensor.From<sbyte>(values.Select(v => (sbyte)v).ToArray(), dims),
        DataType.UInt8 => Tensor.From<byte>(values.Select(v => (byte)v).ToArray(), dims),
        DataType.UInt16 => Tensor.From<ushort>(values.Select(v => (ushort)v).ToArray(), dims),
        DataType.UInt32 => Tensor.From<uint>(values.Select(v => (uint)v).ToArray(), dims),
        DataType.UInt64 => Tensor.From<ulong>(values.Select(v => (ulong)v).ToArray(), dims),
        _ => Tensor.FromBytes(type, dims, new byte[DataTypes.ByteSize(type, values.LongLength)]),
    };

    private static string Word(Random random) =>
        new([.. Enumerable.Range(0, random.Next(1, 8)).Select(_ => (char)('a' + random.Next(26)))]);
}
