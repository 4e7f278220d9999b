using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>Gather, GatherElements, Slice, TopK, ArgMax/ArgMin, NonZero.</summary>
internal static class IndexingRules
{
    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        rules["Gather"] = c =>
        {
            if (c.Shape(0) is not { } data || c.Shape(1) is not { } indices)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var axis = Dims.Axis(c.Int("axis", 0), data.Rank);
            return [new TensorType(c.ElementType(0), new TensorShape([.. data.Dims.Take(axis), .. indices.Dims, .. data.Dims.Skip(axis + 1)]))];
        };
        rules["GatherElements"] = c => [new TensorType(c.ElementType(0), c.Shape(1))];
        rules["Slice"] = Slice;
        rules["TopK"] = c =>
        {
            if (c.Shape(0) is not { } x)
            {
                return [new TensorType(c.ElementType(0), null), new TensorType(DataType.Int64, null)];
            }

            var axis = Dims.Axis(c.Int("axis", -1), x.Rank);
            var k = c.Opset >= 10 ? c.ConstantInts(1)?.FirstOrDefault() : c.Int("k", -1);
            var dims = x.Dims.ToArray();
            dims[axis] = k is > 0 ? Dim.Known(k.Value) : Dim.Unknown;
            var shape = new TensorShape(dims);
            return [new TensorType(c.ElementType(0), shape), new TensorType(DataType.Int64, shape)];
        };
        foreach (var op in new[] { "ArgMax", "ArgMin" })
        {
            rules[op] = c =>
            {
                if (c.Shape(0) is not { } x)
                {
                    return [new TensorType(DataType.Int64, null)];
                }

                var axis = Dims.Axis(c.Int("axis", 0), x.Rank);
                var keep = c.Int("keepdims", 1) != 0;
                var dims = x.Dims.Select((d, i) => i == axis ? (keep ? Dim.Known(1) : (Dim?)null) : d).Where(d => d.HasValue).Select(d => d!.Value);
                return [new TensorType(DataType.Int64, new TensorShape(dims))];
            };
        }

        rules["NonZero"] = c => [new TensorType(DataType.Int64, c.Shape(0) is { } x ? new TensorShape([Dim.Known(x.Rank), Dim.Unknown]) : null)];
    }

    private static Ir.ValueType?[] Slice(InferenceContext c)
    {
        if (c.Shape(0) is not { } x)
        {
            return [new TensorType(c.ElementType(0), null)];
        }

        long[]? starts, ends, axes, steps;
        if (c.Opset >= 10)
        {
            starts = c.ConstantInts(1);
            ends = c.ConstantInts(2);
            axes = c.InputCount > 3 && c.Node.Input(3) is not null ? c.ConstantInts(3) : null;
            steps = c.InputCount > 4 && c.Node.Input(4) is not null ? c.ConstantInts(4) : null;
            if ((c.InputCount > 3 && c.Node.Input(3) is not null && axes is null) || (c.InputCount > 4 && c.Node.Input(4) is not null && steps is null))
            {
                return [new TensorType(c.ElementType(0), Unknown(x))];
            }
        }
        else
        {
            starts = c.Ints("starts");
            ends = c.Ints("ends");
            axes = c.Ints("axes");
            steps = null;
        }

        if (starts is null || ends is null)
        {
            return [new TensorType(c.ElementType(0), Unknown(x))];
        }

        axes ??= [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        var dims = x.Dims.ToArray();
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = Dims.Axis(axes[i], x.Rank);
            var step = steps?[i] ?? 1;
            var start = starts[i];
            var end = ends[i];
            dims[axis] = Dims.Map(dims[axis], size => SliceLength(size, start, end, step));
        }

        return [new TensorType(c.ElementType(0), new TensorShape(dims))];
    }

    /// <summary>How many elements Slice takes from a dimension of <paramref name="size"/> (ONNX clamping rules).</summary>
    public static long SliceLength(long size, long start, long end, long step) => SliceRange(size, start, end, step).Count;

    /// <summary>
    /// The first index Slice reads in a dimension of <paramref name="size"/> and how many elements it takes, as ONNX
    /// Runtime computes it (Slice-10 onwards): negative starts and ends count from the end; then for a positive step
    /// start and end are clamped to [0, size], for a negative step start to [0, size − 1] and end to [−1, size − 1].
    /// One rule is ONNX Runtime's own (slice_helper.h): an end of INT32_MAX or INT64_MAX means "to the end" in the
    /// step's direction, so with a negative step it reaches index 0 (the ONNX text would clamp it to size − 1 and take
    /// nothing). Exact in int64 for any start and end.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="step"/> is 0.</exception>
    public static (long First, long Count) SliceRange(long size, long start, long end, long step)
    {
        if (step == 0)
        {
            throw new ArgumentException("Slice step 0", nameof(step));
        }

        if (size <= 0)
        {
            return (0, 0);
        }

        if (start < 0)
        {
            start += size;
        }

        if (end is int.MaxValue or long.MaxValue)
        {
            end = step < 0 ? -1 : size;
        }
        else if (end < 0)
        {
            end += size;
        }

        if (step > 0)
        {
            start = Math.Clamp(start, 0, size);
            end = Math.Clamp(end, 0, size);
            return (start, end > start ? ((end - start - 1) / step) + 1 : 0);
        }

        start = Math.Clamp(start, 0, size - 1);
        end = Math.Clamp(end, -1, size - 1);

        // step is negative; −step cannot overflow for step > INT64_MIN, and a step of INT64_MIN takes one element.
        return (start, start > end ? (step == long.MinValue ? 1 : ((start - end - 1) / -step) + 1) : 0);
    }

    private static TensorShape Unknown(TensorShape x) => new(x.Dims.Select(_ => Dim.Unknown));
}
