using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>Operators whose output has the input's shape, or the broadcast of several inputs' shapes.</summary>
internal static class ElementwiseRules
{
    private static readonly string[] SameTypeAndShape =
    [
        "Identity", "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Abs", "Erf", "Reciprocal", "Floor", "Ceil", "Round",
        "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Softplus", "Softsign",
        "HardSigmoid", "HardSwish", "LeakyRelu", "Elu", "Selu", "Celu", "Gelu", "Mish", "ThresholdedRelu", "Shrink", "Clip",
        "Softmax", "LogSoftmax", "Hardmax", "LRN", "InstanceNormalization", "MeanVarianceNormalization", "CumSum", "Trilu",
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "ScatterND", "ScatterElements", "Scatter", "BitwiseNot",
    ];

    private static readonly string[] Arithmetic = ["Add", "Sub", "Mul", "Div", "Pow", "Mod", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "PRelu"];

    private static readonly string[] Comparisons = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"];

    private static readonly string[] Variadic = ["Sum", "Max", "Min", "Mean"];

    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        foreach (var op in SameTypeAndShape)
        {
            rules[op] = c => [c.Type(0)];
        }

        foreach (var op in Arithmetic)
        {
            rules[op] = c => [new TensorType(First(c.ElementType(0), c.ElementType(1)), Dims.Broadcast([c.Shape(0), c.Shape(1)]))];
        }

        foreach (var op in Comparisons)
        {
            rules[op] = c => [new TensorType(DataType.Bool, Dims.Broadcast([c.Shape(0), c.Shape(1)]))];
        }

        foreach (var op in Variadic)
        {
            rules[op] = c => [new TensorType(c.ElementType(0), Dims.Broadcast(Enumerable.Range(0, c.InputCount).Select(c.Shape)))];
        }

        rules["Not"] = c => [new TensorType(DataType.Bool, c.Shape(0))];
        rules["IsNaN"] = c => [new TensorType(DataType.Bool, c.Shape(0))];
        rules["IsInf"] = c => [new TensorType(DataType.Bool, c.Shape(0))];
        rules["Where"] = c => [new TensorType(First(c.ElementType(1), c.ElementType(2)), Dims.Broadcast([c.Shape(0), c.Shape(1), c.Shape(2)]))];
        rules["Dropout"] = c => [c.Type(0), new TensorType(DataType.Bool, c.Shape(0))];
        rules["Cast"] = c => [new TensorType((DataType)c.Int("to", 0), c.Shape(0))];
        rules["CastLike"] = c => [new TensorType(c.ElementType(1), c.Shape(0))];
        // The zero point's type, else (opset 21) output_dtype, else uint8.
        rules["QuantizeLinear"] = c => [new TensorType(
            c.InputCount > 2 && c.Node.Input(2) is not null && c.ElementType(2) != DataType.Undefined ? c.ElementType(2)
            : c.Int("output_dtype", 0) is var dtype and not 0 ? (DataType)dtype
            : DataType.UInt8,
            c.Shape(0))];
        rules["DequantizeLinear"] = c => [new TensorType(c.ElementType(1) == DataType.Undefined ? DataType.Float : c.ElementType(1), c.Shape(0))];
    }

    private static DataType First(DataType a, DataType b) => a != DataType.Undefined ? a : b;
}
