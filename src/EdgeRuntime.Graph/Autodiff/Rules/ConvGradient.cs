using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = conv(x, W) + B (any number of spatial axes; group, strides, pads or auto_pad, dilations).
/// ∂x: the transposed convolution of ∂y with the same W and geometry (output_padding restores x's size).
/// ∂W[m, c, i] = Σₙ Σₒ ∂y[n, m, o]·x_pad[n, γ(m)·C/g + c, o·s + i·d]: a convolution with the roles swapped — the
/// batch becomes the channels and ∂y the kernel, strides and dilations exchanged — per group, then cropped to the
/// kernel size (it can come out larger when the stride does not divide the padded input) and transposed to
/// [M, C/g, k…]. ∂B = Σ ∂y over every axis but the channel one.
/// </summary>
internal sealed class ConvGradient : GradientRule
{
    public override string OpType => "Conv";

    public override bool IsDifferentiable(Node node, int index) => index is 0 or 1 or 2;

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var (x, w, dy) = (context.Input(0), context.Input(1), context.Gradient);
        var weightShape = emit.ShapeOf(w);
        var rank = weightShape.Rank;
        var kernel = context.Node.GetInts("kernel_shape")?.ToArray()
            ?? [.. weightShape.Dims.Skip(2).Select((d, i) => d.Value ?? throw context.Fail($"kernel dimension {i} of '{w.Name}' is not known"))];
        var geometry = ConvGeometry.Of(context, kernel);
        var group = context.Node.GetInt("group", 1);
        if (context.Wants(0))
        {
            context.Set(0, geometry.Transposed(context, dy, w, group));
        }

        if (context.Wants(1))
        {
            context.Set(1, WeightGradient(context, geometry, x, w, dy, group, rank));
        }

        if (context.Wants(2))
        {
            long[] axes = [0, .. Enumerable.Range(2, rank - 2)];
            context.Set(2, emit.ReshapeLike(emit.ReduceSum(dy, axes, keepDims: false), context.Input(2)));
        }
    }

    private static Value WeightGradient(GradientContext context, ConvGeometry geometry, Value x, Value w, Value dy, long group, int rank)
    {
        var emit = context.Emit;
        var spatialAxes = Enumerable.Range(2, rank - 2).Select(i => (long)i).ToArray();
        long[] swapFirstTwo = [1, 0, .. spatialAxes];
        Value input;
        Value kernel;
        if (group == 1)
        {
            input = emit.Transpose(x, swapFirstTwo);
            kernel = emit.Transpose(dy, swapFirstTwo);
        }
        else
        {
            var weightShape = emit.ShapeOf(w);
            var (filters, perGroup) = (weightShape.Dims[0].Value, weightShape.Dims[1].Value);
            if (filters is null || perGroup is null)
            {
                throw context.Fail($"a grouped convolution's weight gradient needs the shape of '{w.Name}' known");
            }

            // x: [N, C, S…] → [N, g, C/g, S…] → [C/g, g, N, S…] → [C/g, g·N, S…]; ∂y: [N, M, O…] → [N, g, M/g, O…] → [g, M/g, N, O…] → [M, N, O…].
            var xSpatial = emit.DimsOf(x, 2, rank);
            var grouped = emit.Reshape(x, emit.ShapeConcat(emit.Int64s(0, group, perGroup.Value), xSpatial));
            input = emit.Reshape(emit.Transpose(grouped, [2, 1, 0, .. spatialAxes.Select(a => a + 1)]), emit.ShapeConcat(emit.Int64s(perGroup.Value, -1), xSpatial));
            var ySpatial = emit.DimsOf(context.Output, 2, rank);
            var groupedGradient = emit.Reshape(dy, emit.ShapeConcat(emit.Int64s(0, group, -1), ySpatial));
            kernel = emit.Reshape(emit.Transpose(groupedGradient, [1, 2, 0, .. spatialAxes.Select(a => a + 1)]), emit.ShapeConcat(emit.Int64s(filters.Value, -1), ySpatial));
        }

        var swapped = emit.Op(
            "Conv",
            [input, kernel],
            Ir.Attribute.FromInts("strides", geometry.Dilations),
            Ir.Attribute.FromInts("dilations", geometry.Strides),
            Ir.Attribute.FromInts("pads", geometry.Pads),
            Ir.Attribute.FromInt("group", group));
        var cropped = emit.Slice(swapped, new long[rank - 2], geometry.Kernel, spatialAxes);
        return emit.Transpose(cropped, swapFirstTwo);
    }
}
