using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = mean over each window of x: every element of a window receives ∂y / n, n the window's divisor — the kernel
/// size K, or with count_include_pad=0 and padding the number of real elements (a constant computed from the known
/// sizes). Written as a transposed grouped convolution of ∂y / n with a kernel of ones, which adds overlapping
/// windows' shares. ceil_mode only where it equals floor.
/// </summary>
internal sealed class AveragePoolGradient : GradientRule
{
    public override string OpType => "AveragePool";

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
        Value divisor;
        if (context.Node.GetInt("count_include_pad", 0) != 0 || geometry.Pads.All(p => p == 0))
        {
            divisor = emit.Scalar(taps, type);
        }
        else
        {
            var counts = geometry.ValidTapCounts(context, out var outputSizes);
            divisor = emit.Constant(emit.Floats(type, [.. counts.Select(c => (double)c)], [1, 1, .. outputSizes]), "window_sizes");
        }

        var ones = emit.Constant(emit.Floats(type, [.. Enumerable.Repeat(1.0, (int)(channels * taps))], [channels, 1, .. kernel]), "window_ones");
        context.Set(0, geometry.Transposed(context, emit.Div(context.Gradient, divisor), ones, channels));
    }
}
