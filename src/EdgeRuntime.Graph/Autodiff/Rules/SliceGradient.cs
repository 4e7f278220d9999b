using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = x[starts:ends:steps] along axes: ∂x is ∂y scattered back into zeros at the positions the slice read.
/// From opset 11 the positions are found by slicing an index tensor with the node's own bounds
/// (range(size(x)) reshaped like x), and ∂y is placed with ScatterElements: any bounds, negative or clamped, steps,
/// free dimensions. Before opset 11 the bounds must be constant, the steps 1 and the sliced dimensions known, and ∂y
/// is zero-padded back.
/// </summary>
internal sealed class SliceGradient : GradientRule
{
    public override string OpType => "Slice";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        context.Set(0, emit.Opset >= 11 ? Scatter(context) : Pad(context));
    }

    private static Value Scatter(GradientContext context)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var count = emit.Size(x);
        var positions = emit.Op("Range", [emit.Constant(Tensor.Scalar(0L), "zero"), count, emit.Constant(Tensor.Scalar(1L), "one")]);
        var read = emit.Op("Slice", [emit.ReshapeLike(positions, x), .. context.Node.Inputs.Skip(1)]);
        var zeros = emit.Op("ConstantOfShape", [emit.Reshape(count, 1)], Ir.Attribute.FromTensor("value", emit.Floats(context.ElementType, [0], [1])));
        var scattered = emit.Op("ScatterElements", [zeros, emit.Reshape(read, -1), emit.Reshape(context.Gradient, -1)], Ir.Attribute.FromInt("axis", 0));
        return emit.ReshapeLike(scattered, x);
    }

    private static Value Pad(GradientContext context)
    {
        var emit = context.Emit;
        var shape = emit.ShapeOf(context.Input(0));
        var rank = shape.Rank;
        var starts = context.Ints(1, "starts") ?? throw context.Fail("starts are missing");
        var ends = context.Ints(2, "ends") ?? throw context.Fail("ends are missing");
        var axes = context.Ints(3, "axes") ?? [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        if (context.Node.Input(4) is not null && context.Ints(4, "steps")!.Any(s => s != 1))
        {
            throw context.Fail($"a strided slice's gradient needs ScatterElements (opset 11); the model imports opset {emit.Opset}");
        }

        var pads = new long[2 * rank];
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = (int)GradientEmitter.Normalise([axes[i]], rank)[0];
            var size = shape.Dims[axis].Value ?? throw context.Fail($"dimension {axis} of '{context.Input(0).Name}' is not known (needed before opset 11)");
            var start = Math.Clamp(starts[i] < 0 ? starts[i] + size : starts[i], 0, size);
            var end = Math.Clamp(ends[i] < 0 ? ends[i] + size : ends[i], start, size);
            pads[axis] = start;
            pads[rank + axis] = size - end;
        }

        return emit.Pad(context.Gradient, pads);
    }
}
