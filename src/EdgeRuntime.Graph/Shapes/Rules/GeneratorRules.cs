using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>Operators that make tensors: Constant, ConstantOfShape, Range, EyeLike.</summary>
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
            var start = c.Constant(0)?.ToDoubleArray();
            var limit = c.Constant(1)?.ToDoubleArray();
            var delta = c.Constant(2)?.ToDoubleArray();
            if (start is [var s] && limit is [var l] && delta is [var d] && d != 0)
            {
                return [new TensorType(c.ElementType(0), TensorShape.Of(Math.Max(0, (long)Math.Ceiling((l - s) / d))))];
            }

            return [new TensorType(c.ElementType(0), new TensorShape([Dim.Unknown]))];
        };
        rules["EyeLike"] = c => [new TensorType(c.Node.Attribute("dtype") is { } dtype ? (DataType)dtype.Int : c.ElementType(0), c.Shape(0))];
    }
}
