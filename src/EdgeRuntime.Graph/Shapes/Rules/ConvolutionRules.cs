using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>Convolutions and pooling: N, channels, then one dimension per spatial axis.</summary>
internal static class ConvolutionRules
{
    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        rules["Conv"] = c =>
        {
            var x = c.Shape(0);
            var w = c.Shape(1);
            if (x is null || w is null || x.Rank < 3)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var kernel = c.Ints("kernel_shape") ?? [.. w.Dims.Skip(2).Select(d => d.Value ?? -1)];
            return [new TensorType(c.ElementType(0), new TensorShape([x.Dims[0], w.Dims[0], .. Spatial(c, x, kernel, ceil: false)]))];
        };
        rules["ConvTranspose"] = c =>
        {
            var x = c.Shape(0);
            var w = c.Shape(1);
            if (x is null || w is null || x.Rank < 3)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var spatialRank = x.Rank - 2;
            var channels = Dims.Map(w.Dims[1], v => v * c.Int("group", 1));
            if (c.Ints("output_shape") is { } outputShape && outputShape.Length == spatialRank)
            {
                return [new TensorType(c.ElementType(0), new TensorShape([x.Dims[0], channels, .. outputShape.Select(Dim.Known)]))];
            }

            var kernel = c.Ints("kernel_shape") ?? [.. w.Dims.Skip(2).Select(d => d.Value ?? -1)];
            var strides = c.Ints("strides") ?? Ones(spatialRank);
            var dilations = c.Ints("dilations") ?? Ones(spatialRank);
            var pads = c.Ints("pads") ?? new long[spatialRank * 2];
            var outputPadding = c.Ints("output_padding") ?? new long[spatialRank];
            var autoPad = c.Node.GetString("auto_pad", "NOTSET");
            var dims = new List<Dim> { x.Dims[0], channels };
            for (var i = 0; i < spatialRank; i++)
            {
                var axis = i;
                dims.Add(kernel[axis] < 0 ? Dim.Unknown : Dims.Map(x.Dims[axis + 2], input => autoPad.StartsWith("SAME", StringComparison.Ordinal)
                    ? input * strides[axis]
                    : (strides[axis] * (input - 1)) + outputPadding[axis] + ((kernel[axis] - 1) * dilations[axis]) + 1 - pads[axis] - pads[axis + spatialRank]));
            }

            return [new TensorType(c.ElementType(0), new TensorShape(dims))];
        };

        foreach (var op in new[] { "MaxPool", "AveragePool", "LpPool" })
        {
            rules[op] = c =>
            {
                var x = c.Shape(0);
                if (x is null || x.Rank < 3 || c.Ints("kernel_shape") is not { } kernel)
                {
                    return [new TensorType(c.ElementType(0), null), new TensorType(DataType.Int64, null)];
                }

                var shape = new TensorShape([x.Dims[0], x.Dims[1], .. Spatial(c, x, kernel, ceil: c.Int("ceil_mode", 0) != 0)]);
                return [new TensorType(c.ElementType(0), shape), new TensorType(DataType.Int64, shape)];
            };
        }

        foreach (var op in new[] { "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" })
        {
            rules[op] = c => c.Shape(0) is { Rank: >= 3 } x
                ? [new TensorType(c.ElementType(0), new TensorShape([x.Dims[0], x.Dims[1], .. Enumerable.Repeat(Dim.Known(1), x.Rank - 2)]))]
                : [new TensorType(c.ElementType(0), null)];
        }
    }

    /// <summary>Output spatial sizes for kernel, strides, dilations, pads and auto_pad (ONNX's formulas).</summary>
    private static IEnumerable<Dim> Spatial(InferenceContext c, TensorShape x, long[] kernel, bool ceil)
    {
        var rank = x.Rank - 2;
        var strides = c.Ints("strides") ?? Ones(rank);
        var dilations = c.Ints("dilations") ?? Ones(rank);
        var pads = c.Ints("pads") ?? new long[rank * 2];
        var autoPad = c.Node.GetString("auto_pad", "NOTSET");
        for (var i = 0; i < rank; i++)
        {
            var axis = i;
            if (kernel.Length <= axis || kernel[axis] < 0)
            {
                yield return Dim.Unknown;
                continue;
            }

            var window = ((kernel[axis] - 1) * dilations[axis]) + 1;
            yield return Dims.Map(x.Dims[axis + 2], input =>
            {
                if (autoPad.StartsWith("SAME", StringComparison.Ordinal))
                {
                    return (input + strides[axis] - 1) / strides[axis];
                }

                var padded = autoPad == "VALID" ? input : input + pads[axis] + pads[axis + rank];
                var span = padded - window;
                if (span < 0)
                {
                    return 0;
                }

                var output = ceil ? ((span + strides[axis] - 1) / strides[axis]) + 1 : (span / strides[axis]) + 1;

                // With ceil_mode the last window must start inside the (left-padded) input.
                if (ceil && (output - 1) * strides[axis] >= input + pads[axis])
                {
                    output--;
                }

                return output;
            });
        }
    }

    private static long[] Ones(int count) => [.. Enumerable.Repeat(1L, count)];
}
