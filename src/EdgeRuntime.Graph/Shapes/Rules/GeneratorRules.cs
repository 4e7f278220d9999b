using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>
/// Operators that make tensors: Constant, ConstantOfShape, Range, EyeLike, and the random generators, whose element
/// type is their dtype attribute (RandomNormal/RandomUniform default float; the -Like forms and Bernoulli default to
/// the input's type; Multinomial int32), not their input's.
/// </summary>
internal static class GeneratorRules
{
    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        rules["Constant"] = c => ConstantValues.FromConstantNode(c.Node) is { } tensor ? [new TensorType(tensor.ElementType, tensor.Shape)] : [null];
        rules["ConstantOfShape"] = c =>
        {
            var type = c.Node.Attribute("value")?.Tensor.ElementType ?? DataType.Float;
            var shape = c.ConstantInts(0);
            return [new TensorType(type, shape is null ? (c.Shape(0) is { Rank: 1 } s && s.Dims[0].Value is { } rank ? new TensorShape(Enumerable.Repeat(Dim.Unknown, (int)rank)) : null) : TensorShape.Of(shape))];
        };
        rules["Range"] = c =>
        {
            if (c.ConstantInts(0) is [var first] && c.ConstantInts(1) is [var last] && c.ConstantInts(2) is [var step] && step != 0)
            {
                return [new TensorType(c.ElementType(0), TensorShape.Of(RangeLength(first, last, step)))];
            }

            var start = c.Constant(0)?.ToDoubleArray();
            var limit = c.Constant(1)?.ToDoubleArray();
            var delta = c.Constant(2)?.ToDoubleArray();
            if (start is [var s] && limit is [var l] && delta is [var d] && d != 0)
            {
                return [new TensorType(c.ElementType(0), TensorShape.Of(Math.Max(0, (long)Math.Ceiling((l - s) / d))))];
            }

            return [new TensorType(c.ElementType(0), new TensorShape([Dim.Unknown]))];
        };
        foreach (var op in new[] { "RandomNormalLike", "RandomUniformLike", "Bernoulli" })
        {
            rules[op] = c => [new TensorType(c.Node.Attribute("dtype") is { } dtype ? (DataType)dtype.Int : c.ElementType(0), c.Shape(0))];
        }

        foreach (var op in new[] { "RandomNormal", "RandomUniform" })
        {
            rules[op] = c => [new TensorType(c.Node.Attribute("dtype") is { } dtype ? (DataType)dtype.Int : DataType.Float, c.Ints("shape") is { } shape ? TensorShape.Of(shape) : null)];
        }

        rules["Multinomial"] = c => [new TensorType(
            c.Node.Attribute("dtype") is { } dtype ? (DataType)dtype.Int : DataType.Int32,
            c.Shape(0) is { Rank: 2 } x ? new TensorShape([x.Dims[0], Dim.Known(c.Int("sample_size", 1))]) : null)];
        rules["EyeLike"] = c => [new TensorType(c.Node.Attribute("dtype") is { } dtype ? (DataType)dtype.Int : c.ElementType(0), c.Shape(0))];
    }

    /// <summary>Range's element count for integer operands, max(0, ⌈(limit − start) / delta⌉), exact (no detour through double).</summary>
    public static long RangeLength(long start, long limit, long delta)
    {
        var span = (Int128)limit - start;
        var quotient = span / delta;
        if (span % delta != 0 && (span > 0) == (delta > 0))
        {
            quotient++;
        }

        return (long)Int128.Clamp(quotient, 0, long.MaxValue);
    }
}
