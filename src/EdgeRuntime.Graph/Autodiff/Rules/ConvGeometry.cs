using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// The spatial geometry of a Conv or pooling node with explicit pads (auto_pad resolved as ONNX defines it), and
/// what the transposed convolution that maps its output gradient back onto its input needs.
/// </summary>
internal sealed class ConvGeometry
{
    private ConvGeometry(long[] kernel, long[] strides, long[] dilations, long[] pads, long?[] inputSizes, long?[] outputSizes)
    {
        Kernel = kernel;
        Strides = strides;
        Dilations = dilations;
        Pads = pads;
        InputSizes = inputSizes;
        OutputSizes = outputSizes;
    }

    public long[] Kernel { get; }

    public long[] Strides { get; }

    public long[] Dilations { get; }

    /// <summary>[begin…, end…] per spatial axis.</summary>
    public long[] Pads { get; }

    public long?[] InputSizes { get; }

    public long?[] OutputSizes { get; }

    public int Spatial => Kernel.Length;

    /// <summary>Reads the node's attributes; <paramref name="kernel"/> is the kernel's spatial size.</summary>
    public static ConvGeometry Of(GradientContext context, long[] kernel)
    {
        var node = context.Node;
        var emit = context.Emit;
        var spatial = kernel.Length;
        var strides = node.GetInts("strides")?.ToArray() ?? [.. Enumerable.Repeat(1L, spatial)];
        var dilations = node.GetInts("dilations")?.ToArray() ?? [.. Enumerable.Repeat(1L, spatial)];
        long?[] inputSizes = [.. emit.ShapeOf(context.Input(0)).Dims.Skip(2).Select(d => d.Value)];
        long?[] outputSizes = [.. emit.ShapeOf(context.Output).Dims.Skip(2).Select(d => d.Value)];
        var autoPad = node.GetString("auto_pad", "NOTSET");
        long[] pads;
        switch (autoPad)
        {
            case "NOTSET":
                pads = node.GetInts("pads")?.ToArray() ?? new long[2 * spatial];
                break;
            case "VALID":
                pads = new long[2 * spatial];
                break;
            case "SAME_UPPER" or "SAME_LOWER":
                pads = new long[2 * spatial];
                for (var i = 0; i < spatial; i++)
                {
                    long total;
                    if (strides[i] == 1)
                    {
                        total = (kernel[i] - 1) * dilations[i];
                    }
                    else
                    {
                        var size = inputSizes[i] ?? throw context.Fail($"auto_pad={autoPad} with stride {strides[i]} needs spatial dimension {i} of the input to be known");
                        var output = (size + strides[i] - 1) / strides[i];
                        total = Math.Max(0, ((output - 1) * strides[i]) + ((kernel[i] - 1) * dilations[i]) + 1 - size);
                    }

                    pads[i] = autoPad == "SAME_UPPER" ? total / 2 : total - (total / 2);
                    pads[spatial + i] = total - pads[i];
                }

                break;
            default:
                throw context.Fail($"unknown auto_pad '{autoPad}'");
        }

        return new ConvGeometry(kernel, strides, dilations, pads, inputSizes, outputSizes);
    }

    /// <summary>
    /// The output_padding that makes a ConvTranspose with this geometry produce exactly the input's spatial size:
    /// in − ((out − 1)·s − pads + (k − 1)·d + 1), always in [0, s). Zero with stride 1; otherwise both sizes must be known.
    /// </summary>
    public long[] OutputPadding(GradientContext context)
    {
        var padding = new long[Spatial];
        for (var i = 0; i < Spatial; i++)
        {
            if (Strides[i] == 1)
            {
                continue;
            }

            if (InputSizes[i] is not { } input || OutputSizes[i] is not { } output)
            {
                throw context.Fail($"spatial dimension {i} has stride {Strides[i]} and a free size; the input gradient needs it known (set TrainingGraphRequest.InputShapes)");
            }

            padding[i] = input - (((output - 1) * Strides[i]) - Pads[i] - Pads[Spatial + i] + ((Kernel[i] - 1) * Dilations[i]) + 1);
        }

        return padding;
    }

    /// <summary>The attributes of a Conv or ConvTranspose with this geometry (explicit pads).</summary>
    public List<Ir.Attribute> Attributes(long group) =>
    [
        Ir.Attribute.FromInts("kernel_shape", Kernel),
        Ir.Attribute.FromInts("strides", Strides),
        Ir.Attribute.FromInts("dilations", Dilations),
        Ir.Attribute.FromInts("pads", Pads),
        Ir.Attribute.FromInt("group", group),
    ];

    /// <summary>The input gradient: ∂y through the transposed convolution with <paramref name="weight"/> ([channels in ∂y, C/group, k…]).</summary>
    public Value Transposed(GradientContext context, Value gradient, Value weight, long group) =>
        context.Emit.Op("ConvTranspose", [gradient, weight], [.. Attributes(group), Ir.Attribute.FromInts("output_padding", OutputPadding(context))]);

    /// <summary>For each spatial output position, how many kernel taps fall inside the (unpadded) input; sizes must be known.</summary>
    public long[] ValidTapCounts(GradientContext context, out long[] outputSizes)
    {
        outputSizes = [.. KnownOutputSizes(context)];
        var counts = new long[outputSizes.Aggregate(1L, (a, b) => a * b)];
        var inside = ValidTaps(context, outputSizes);
        var taps = Kernel.Aggregate(1L, (a, b) => a * b);
        for (var position = 0; position < counts.Length; position++)
        {
            for (var tap = 0; tap < taps; tap++)
            {
                counts[position] += inside[(tap * counts.Length) + position] ? 1 : 0;
            }
        }

        return counts;
    }

    /// <summary>Whether kernel tap t at output position p reads a real (unpadded) input element, as [t, p] row-major.</summary>
    public bool[] ValidTaps(GradientContext context, long[] outputSizes)
    {
        var inputSizes = InputSizes.Select((s, i) => s ?? throw context.Fail($"spatial dimension {i} of the input must be known for a padded pooling's gradient")).ToArray();
        var taps = Kernel.Aggregate(1L, (a, b) => a * b);
        var positions = outputSizes.Aggregate(1L, (a, b) => a * b);
        var valid = new bool[taps * positions];
        for (var tap = 0L; tap < taps; tap++)
        {
            var tapIndex = Unravel(tap, Kernel);
            for (var position = 0L; position < positions; position++)
            {
                var outputIndex = Unravel(position, outputSizes);
                var inside = true;
                for (var i = 0; i < Spatial && inside; i++)
                {
                    var at = (outputIndex[i] * Strides[i]) - Pads[i] + (tapIndex[i] * Dilations[i]);
                    inside = at >= 0 && at < inputSizes[i];
                }

                valid[(tap * positions) + position] = inside;
            }
        }

        return valid;
    }

    /// <summary>The output's spatial sizes; fails when one is free.</summary>
    public IEnumerable<long> KnownOutputSizes(GradientContext context) =>
        OutputSizes.Select((s, i) => s ?? throw context.Fail($"spatial dimension {i} of the output must be known for a padded pooling's gradient"));

    /// <summary>Refuses ceil_mode=1 unless, with the known sizes, it rounds to the same output as floor.</summary>
    public void RequireFloorMode(GradientContext context)
    {
        if (context.Node.GetInt("ceil_mode", 0) == 0)
        {
            return;
        }

        for (var i = 0; i < Spatial; i++)
        {
            if (InputSizes[i] is not { } input || OutputSizes[i] is not { } output ||
                output != ((input + Pads[i] + Pads[Spatial + i] - (((Kernel[i] - 1) * Dilations[i]) + 1)) / Strides[i]) + 1)
            {
                throw context.Fail("ceil_mode=1 adds partial windows at the end, which this rule does not model (it does when the sizes are known and ceil equals floor)");
            }
        }
    }

    private static long[] Unravel(long index, long[] sizes)
    {
        var result = new long[sizes.Length];
        for (var i = sizes.Length - 1; i >= 0; i--)
        {
            result[i] = index % sizes[i];
            index /= sizes[i];
        }

        return result;
    }
}
