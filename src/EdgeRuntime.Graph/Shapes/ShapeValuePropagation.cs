using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes;

/// <summary>
/// Computes the values of small integer tensors that describe shapes (Shape → Gather → Unsqueeze → Concat
/// → Reshape chains), once the shapes they read are known. Inference uses them as if constant; the
/// folding pass turns them into constants.
/// </summary>
internal static class ShapeValuePropagation
{
    /// <summary>Values larger than this are not tracked; shape vectors are tiny.</summary>
    private const int MaxElements = 64;

    public static Tensor? Compute(Node node, Func<Value?, Tensor?> known)
    {
        if (node.Domain.Length != 0)
        {
            return null;
        }

        long[]? Ints(int index) => known(node.Input(index)) is { } t && t.ElementType is DataType.Int64 or DataType.Int32 ? t.ToInt64Array() : null;
        Tensor? Input(int index) => known(node.Input(index));

        switch (node.OpType)
        {
            case "Shape" when node.Input(0)?.TensorType?.Shape is { IsFullyKnown: true } shape:
                var dims = shape.ToArray();
                var start = Math.Clamp(Dims.Axis(node.GetInt("start", 0), dims.Length), 0, dims.Length);
                var end = Math.Clamp(node.Attribute("end") is null ? dims.Length : Dims.Axis(node.GetInt("end", dims.Length), dims.Length), 0, dims.Length);
                return Tensor.Vector(dims[start..Math.Max(start, end)]);
            case "Size" when node.Input(0)?.TensorType?.Shape?.ElementCount() is { } count:
                return Tensor.Scalar(count);
            case "Identity":
                return Input(0);
            case "Cast" when Input(0) is { } source && (DataType)node.GetInt("to", 0) is DataType.Int64 or DataType.Int32 && source.ElementType is DataType.Int64 or DataType.Int32:
                return Make((DataType)node.GetInt("to", 0), source.ToInt64Array(), source.Dims.ToArray());
            case "Gather" when Input(0) is { Dims.Length: 1 } data && Ints(1) is { } indices && Input(1) is { } indexTensor && node.GetInt("axis", 0) == 0:
                var values = data.ToInt64Array();
                var picked = indices.Select(i => values[i < 0 ? i + values.Length : i]).ToArray();
                return Make(data.ElementType, picked, indexTensor.Dims.ToArray());
            case "Unsqueeze" or "Squeeze" when Input(0) is { } source && node.Output.TensorType?.Shape is { IsFullyKnown: true } outShape:
                return Make(source.ElementType, source.ToInt64Array(), outShape.ToArray());
            case "Reshape" when Input(0) is { } source && node.Output.TensorType?.Shape is { IsFullyKnown: true } outShape:
                return Make(source.ElementType, source.ToInt64Array(), outShape.ToArray());
            case "Concat" when node.Inputs.All(i => known(i) is { Dims.Length: 1 }) && node.Inputs.Count > 0:
                var parts = node.Inputs.Select(i => known(i)!).ToList();
                var joined = parts.SelectMany(p => p.ToInt64Array()).ToArray();
                return Make(parts[0].ElementType, joined, [joined.Length]);
            case "Slice" when Input(0) is { Dims.Length: 1 } data && SliceBounds(node, Ints) is var (sliceStart, sliceEnd, step):
                var all = data.ToInt64Array();
                var (first, length) = Rules.IndexingRules.SliceRange(all.Length, sliceStart, sliceEnd, step);
                return Make(data.ElementType, [.. Enumerable.Range(0, (int)length).Select(i => all[first + (i * step)])], [length]);
            case "Add" or "Sub" or "Mul" or "Div" or "Mod" when Input(0) is { } a && Input(1) is { } b && a.ElementType == b.ElementType && a.ElementType is DataType.Int64 or DataType.Int32:
                return Arithmetic(node.OpType, a, b, node.GetInt("fmod", 0) != 0);
            case "ReduceProd" when Input(0) is { Dims.Length: 1 } data && node.GetInt("keepdims", 1) == 0:
                return Make(data.ElementType, [data.ToInt64Array().Aggregate(1L, (x, y) => x * y)], []);
            default:
                return null;
        }
    }

    /// <summary>A 1-D slice's start, end and step: attributes before opset 10, inputs after.</summary>
    private static (long Start, long End, long Step)? SliceBounds(Node node, Func<int, long[]?> ints)
    {
        if (node.GetInts("starts") is [var attributeStart] && node.GetInts("ends") is [var attributeEnd])
        {
            return node.GetInts("axes") is null or [0] ? (attributeStart, attributeEnd, 1) : null;
        }

        if (ints(1) is [var start] && ints(2) is [var end])
        {
            var axesOk = node.Inputs.Count <= 3 || node.Input(3) is null || ints(3) is [0];
            var step = node.Inputs.Count > 4 && ints(4) is [var s] ? s : 1;
            return axesOk ? (start, end, step) : null;
        }

        return null;
    }

    /// <summary>
    /// Integer arithmetic exactly as ONNX Runtime does it: in the element type's width, wrapping on overflow for Add,
    /// Sub and Mul; Div truncating toward zero (C++ integer division, not floor); Mod with the sign of the divisor
    /// (fmod = 0, Python's %, exact) or of the dividend (fmod = 1: C's fmod on the operands as doubles, as ONNX Runtime
    /// computes it, which rounds above 2^53). Division by zero and the one overflowing
    /// quotient (MIN / −1) are left to run time: they are undefined in C++, so there is no value to fold.
    /// </summary>
    private static Tensor? Arithmetic(string op, Tensor a, Tensor b, bool fmod)
    {
        var left = a.ToInt64Array();
        var right = b.ToInt64Array();
        if (left.Length != right.Length && left.Length != 1 && right.Length != 1)
        {
            return null;
        }

        // Broadcasting: the result has the higher rank (a scalar minus a one-element vector is a vector).
        var rank = Math.Max(a.Dims.Length, b.Dims.Length);
        if (rank > 1)
        {
            return null;
        }

        var narrow = a.ElementType == DataType.Int32;
        var min = narrow ? int.MinValue : long.MinValue;
        var count = Math.Max(left.Length, right.Length);
        var result = new long[count];
        for (var i = 0; i < count; i++)
        {
            var x = left[left.Length == 1 ? 0 : i];
            var y = right[right.Length == 1 ? 0 : i];
            if (op is "Div" or "Mod" && (y == 0 || (x == min && y == -1)))
            {
                return null;
            }

            result[i] = op switch
            {
                "Add" => unchecked(x + y),
                "Sub" => unchecked(x - y),
                "Mul" => unchecked(x * y),
                "Div" => x / y,
                _ => FloorMod(x, y, fmod),
            };
        }

        return Make(a.ElementType, result, rank == 0 ? [] : [count]);
    }

    private static long FloorMod(long x, long y, bool fmod)
    {
        if (fmod)
        {
            // ONNX Runtime computes fmod = 1 through C's fmod on doubles, for integers too: above 2^53 the operands
            // round first (9007199254740993 fmod 3 is 2 there, not 0), and that is what the model computes.
            return (long)((double)x % y);
        }

        var remainder = x % y;
        return remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder;
    }

    private static Tensor? Make(DataType type, long[] values, long[] dims)
    {
        if (values.Length > MaxElements)
        {
            return null;
        }

        return type switch
        {
            DataType.Int64 => Tensor.From<long>(values, dims),
            DataType.Int32 => Tensor.From<int>(values.Select(v => unchecked((int)v)).ToArray(), dims),
            _ => null,
        };
    }
}
