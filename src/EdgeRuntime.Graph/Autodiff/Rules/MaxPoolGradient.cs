using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = max over each window of x. The gradient goes to the elements that attain the window's maximum (split evenly
/// when several tie — a valid subgradient; with distinct values it is the usual one-hot routing). Written with
/// convolutions, which exist in every opset: a grouped Conv with one-hot kernels gathers each window's K elements
/// as channels (im2col), a comparison with y marks the maxima (padding excluded by a constant mask), and the
/// transposed convolution with the same kernels adds each window's share back onto x (col2im), overlapping
/// windows included. Costs K× the input in memory. ceil_mode only where it equals floor.
/// </summary>
internal sealed class MaxPoolGradient : GradientRule
{
    public override string OpType => "MaxPool";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var type = context.ElementType;
        var x = context.Input(0);
        var channels = emit.ShapeOf(x).Dims[1].Value ?? throw context.Fail($"the channel count of '{x.Name}' must be known");
        var kernel = context.Node.GetInts("kernel_shape")?.ToArray() ?? throw context.Fail("kernel_shape is missing");
        var geometry = ConvGeometry.Of(context, kernel);
        geometry.RequireFloorMode(context);
        var taps = kernel.Aggregate(1L, (a, b) => a * b);

        // E[c·K + t, 0, …] is 1 at tap t: a Conv with it (group C) lists every window's elements as channels.
        var oneHot = new double[channels * taps * taps];
        for (var c = 0L; c < channels; c++)
        {
            for (var t = 0L; t < taps; t++)
            {
                oneHot[(((c * taps) + t) * taps) + t] = 1;
            }
        }

        var selector = emit.Constant(emit.Floats(type, oneHot, [channels * taps, 1, .. kernel]), "window_selector");
        var windows = emit.Op("Conv", [x, selector], [.. geometry.Attributes(channels)]);
        var byTap = emit.Reshape(windows, 0, channels, taps, -1);
        var maxima = emit.Reshape(context.Output, 0, channels, 1, -1);
        var attains = emit.Not(emit.Less(byTap, maxima));
        if (geometry.Pads.Any(p => p != 0))
        {
            // Zero padding is not part of the window: a pad position never attains the maximum.
            var outputSizes = geometry.KnownOutputSizes(context).ToArray();
            var valid = geometry.ValidTaps(context, outputSizes);
            var mask = emit.Constant(Tensor.From<bool>(valid, 1, 1, taps, outputSizes.Aggregate(1L, (a, b) => a * b)), "inside_input");
            attains = emit.And(attains, mask);
        }

        var share = emit.Mask(attains, type);
        var ties = emit.ReduceSum(share, [2], keepDims: true);
        var routed = emit.Mul(share, emit.Div(emit.Reshape(context.Gradient, 0, channels, 1, -1), ties));
        var asWindows = emit.ReshapeLike(routed, windows);
        context.Set(0, geometry.Transposed(context, asWindows, selector, channels));
    }
}
