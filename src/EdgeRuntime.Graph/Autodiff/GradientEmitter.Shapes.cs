using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

internal sealed partial class GradientEmitter
{
    /// <summary>The shape of a forward value as inference left it; fails when even its rank is unknown.</summary>
    public TensorShape ShapeOf(Value value) =>
        value.TensorType?.Shape ?? throw Fail($"the shape of '{value.Name}' is unknown (its rank is needed for the gradient)");

    /// <summary>The element type of a forward value; fails when unknown.</summary>
    public DataType TypeOf(Value value) =>
        value.TensorType?.ElementType is { } type and not DataType.Undefined ? type : throw Fail($"the element type of '{value.Name}' is unknown");

    /// <summary>The value's shape as a 1-D int64 value: a constant when fully known, else a Shape node (one per value).</summary>
    public Value ShapeValue(Value value)
    {
        if (value.TensorType?.Shape is { IsFullyKnown: true } known)
        {
            return Int64s(known.ToArray());
        }

        if (!_shapes.TryGetValue(value, out var shape))
        {
            shape = Op("Shape", [value]);
            _shapes[value] = shape;
        }

        return shape;
    }

    /// <summary>Dimensions [start, end) of a value's shape as a 1-D int64 value (Gather on Shape when not known).</summary>
    public Value DimsOf(Value value, int start, int end)
    {
        var shape = ShapeOf(value);
        if (Enumerable.Range(start, end - start).All(i => shape.Dims[i].IsKnown))
        {
            return Int64s([.. Enumerable.Range(start, end - start).Select(i => shape.Dims[i].Value!.Value)]);
        }

        return Op("Gather", [ShapeValue(value), Int64s([.. Enumerable.Range(start, end - start).Select(i => (long)i)])], Ir.Attribute.FromInt("axis", 0));
    }

    /// <summary>Joins 1-D int64 shape pieces; constants are merged into one constant.</summary>
    public Value ShapeConcat(params Value[] pieces)
    {
        if (pieces.All(p => p.IsConstant))
        {
            return Int64s([.. pieces.SelectMany(p => p.Initializer!.ToInt64Array())]);
        }

        return Concat(pieces, 0);
    }

    /// <summary>Reshape of <paramref name="a"/> to the shape of <paramref name="like"/>.</summary>
    public Value ReshapeLike(Value a, Value like) => Reshape(a, ShapeValue(like));

    /// <summary>ReduceSum over <paramref name="axes"/> (non-negative); the input unchanged when there are none.</summary>
    public Value ReduceSum(Value a, IReadOnlyList<long> axes, bool keepDims) => Reduce("ReduceSum", 13, a, axes, keepDims);

    /// <summary>ReduceMean over <paramref name="axes"/>.</summary>
    public Value ReduceMean(Value a, IReadOnlyList<long> axes, bool keepDims) => Reduce("ReduceMean", 18, a, axes, keepDims);

    /// <summary>ReduceMax over <paramref name="axes"/>.</summary>
    public Value ReduceMax(Value a, IReadOnlyList<long> axes, bool keepDims) => Reduce("ReduceMax", 18, a, axes, keepDims);

    /// <summary>A reduction over every axis to a scalar.</summary>
    public Value ReduceAll(string opType, Value a) => Op(opType, [a], Ir.Attribute.FromInt("keepdims", 0));

    /// <summary>Unsqueeze at <paramref name="axes"/> (positions in the output).</summary>
    public Value Unsqueeze(Value a, params long[] axes) => Opset >= 13
        ? Op("Unsqueeze", [a, Int64s(axes)])
        : Op("Unsqueeze", [a], Ir.Attribute.FromInts("axes", axes));

    /// <summary>Squeeze at <paramref name="axes"/>.</summary>
    public Value Squeeze(Value a, params long[] axes) => Opset >= 13
        ? Op("Squeeze", [a, Int64s(axes)])
        : Op("Squeeze", [a], Ir.Attribute.FromInts("axes", axes));

    /// <summary>
    /// Broadcasts <paramref name="a"/> to the shape of <paramref name="like"/> (same rank): Expand from opset 8, Tile
    /// by shape(like) / shape(a) before.
    /// </summary>
    public Value BroadcastLike(Value a, Value like)
    {
        if (Opset >= 8)
        {
            return Op("Expand", [a, ShapeValue(like)]);
        }

        return Op("Tile", [a, Op("Div", [ShapeValue(like), Op("Shape", [a])])]);
    }

    /// <summary>A static slice along <paramref name="axes"/> (inputs from opset 10, attributes before).</summary>
    public Value Slice(Value a, long[] starts, long[] ends, long[] axes) => Opset >= 10
        ? Op("Slice", [a, Int64s(starts), Int64s(ends), Int64s(axes)])
        : Op("Slice", [a], Ir.Attribute.FromInts("starts", starts), Ir.Attribute.FromInts("ends", ends), Ir.Attribute.FromInts("axes", axes));

    /// <summary>Zero padding by static amounts ([begin…, end…]; inputs from opset 11, an attribute before).</summary>
    public Value Pad(Value a, long[] pads) => Opset >= 11
        ? Op("Pad", [a, Int64s(pads)])
        : Op("Pad", [a], Ir.Attribute.FromInts("pads", pads));

    /// <summary>
    /// Sums a gradient shaped like a broadcast result (<paramref name="resultShape"/>) back to the shape of the operand
    /// that was broadcast: over the leading axes the operand lacks and the axes where it has size 1.
    /// </summary>
    public Value ReduceTo(Value gradient, TensorShape resultShape, Value operand)
    {
        var target = ShapeOf(operand);
        var (rg, ra) = (resultShape.Rank, target.Rank);
        if (ra > rg)
        {
            throw Fail($"'{operand.Name}' has rank {ra}, more than the result's {rg}");
        }

        var axes = Enumerable.Range(0, rg - ra).Select(i => (long)i).ToList();
        for (var i = 0; i < ra; i++)
        {
            var (a, g) = (target.Dims[i], resultShape.Dims[rg - ra + i]);
            if (a.Value == 1)
            {
                if (g.Value != 1)
                {
                    axes.Add(rg - ra + i);
                }
            }
            else if (!(a.IsKnown || g.Value == 1 || (a.Symbol is not null && a.Symbol == g.Symbol)))
            {
                // The operand's size along this axis is free: 1 (broadcast, sum it) or the result's (copy) — unknowable here.
                throw Fail($"cannot tell whether '{operand.Name}' {target} is broadcast along axis {i} of the result {resultShape}; give the training graph fixed input shapes");
            }
        }

        if (axes.Count == 0)
        {
            return gradient;
        }

        var summed = ReduceSum(gradient, axes, keepDims: true);
        return ra == rg ? summed : ReshapeLike(summed, operand);
    }

    /// <summary>Non-negative axes, sorted.</summary>
    public static long[] Normalise(IEnumerable<long> axes, int rank) => [.. axes.Select(a => a < 0 ? a + rank : a).Order()];

    private Value Reduce(string opType, long axesInputFrom, Value a, IReadOnlyList<long> axes, bool keepDims)
    {
        if (axes.Count == 0)
        {
            return a;
        }

        var keep = Ir.Attribute.FromInt("keepdims", keepDims ? 1 : 0);
        return Opset >= axesInputFrom
            ? Op(opType, [a, Int64s([.. axes])], keep)
            : Op(opType, [a], Ir.Attribute.FromInts("axes", axes), keep);
    }
}
