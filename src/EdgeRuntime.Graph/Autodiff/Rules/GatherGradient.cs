using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = gather(data, indices; axis), e.g. an embedding lookup: ∂data[i] = Σ over the positions p with indices[p] = i of
/// ∂y[p] — a scatter-add, so repeated indices accumulate. The gathered axis is moved to the front, then from opset 16
/// ScatterND with reduction "add" places ∂y; before, a one-hot matrix product does (onehot(indices)ᵀ·∂y, memory
/// n×V for n indices into V rows). Negative indices count from the end, as Gather's do. The indices get no gradient.
/// </summary>
internal sealed class GatherGradient : GradientRule
{
    public override string OpType => "Gather";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var data = context.Input(0);
        var indices = context.Input(1);
        var r = context.Rank(data);
        var q = context.Rank(indices);
        var axis = (int)GradientEmitter.Normalise([context.Node.GetInt("axis", 0)], r)[0];

        // ∂y is data[:axis] + indices + data[axis+1:]; move the index dimensions first, and data's gathered axis first.
        long[] gradientPerm = [.. Enumerable.Range(axis, q), .. Enumerable.Range(0, axis), .. Enumerable.Range(axis + q, r - 1 - axis)];
        long[] dataPerm = [axis, .. Enumerable.Range(0, axis), .. Enumerable.Range(axis + 1, r - 1 - axis)];
        var gradient = axis == 0 ? context.Gradient : emit.Transpose(context.Gradient, gradientPerm);
        var permutedShape = emit.ShapeConcat([.. dataPerm.Select(d => emit.DimsOf(data, (int)d, (int)d + 1))]);
        var index = emit.TypeOf(indices) == DataType.Int64 ? indices : emit.Cast(indices, DataType.Int64);
        var scattered = emit.Opset >= 16
            ? ScatterAdd(context, index, gradient, permutedShape, emit.DimsOf(data, axis, axis + 1), q)
            : OneHotProduct(context, index, gradient, permutedShape, emit.ShapeOf(data).Dims[axis].Value, q);
        context.Set(0, axis == 0 ? scattered : emit.Transpose(scattered, GradientEmitter.Inverse(dataPerm)));
    }

    private static Value ScatterAdd(GradientContext context, Value index, Value gradient, Value permutedShape, Value rows, int q)
    {
        var emit = context.Emit;
        var wrapped = emit.Op("Where", [emit.Less(index, emit.Constant(Tensor.Scalar(0L), "zero")), emit.Add(index, emit.Reshape(rows, [])), index]);
        var zeros = emit.Op("ConstantOfShape", [permutedShape], Ir.Attribute.FromTensor("value", emit.Floats(context.ElementType, [0], [1])));
        return emit.Op("ScatterND", [zeros, emit.Unsqueeze(wrapped, q), gradient], Ir.Attribute.FromString("reduction", "add"));
    }

    private static Value OneHotProduct(GradientContext context, Value index, Value gradient, Value permutedShape, long? rows, int q)
    {
        var emit = context.Emit;
        if (rows is not { } count)
        {
            throw context.Fail("the gathered dimension of the data must have a known size for the gradient before opset 16");
        }

        var flat = emit.Reshape(index, -1, 1);
        var classes = emit.Constant(Tensor.From<long>([.. Enumerable.Range(0, (int)count).Select(c => (long)c)], 1, count), "rows");
        var fromEnd = emit.Constant(Tensor.From<long>([.. Enumerable.Range(0, (int)count).Select(c => c - count)], 1, count), "rows_from_end");
        var oneHot = emit.Mask(emit.Op("Or", [emit.Op("Equal", [flat, classes]), emit.Op("Equal", [flat, fromEnd])]), context.ElementType);
        var rowsOfGradient = emit.Op("Flatten", [gradient], Ir.Attribute.FromInt("axis", q));
        return emit.Reshape(emit.MatMul(emit.Transpose(oneHot, [1, 0]), rowsOfGradient), permutedShape);
    }
}
