using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes;

/// <summary>What a shape rule sees of one node: its inputs' types and constant values, the opset, its attributes.</summary>
public sealed class InferenceContext
{
    private readonly Func<Value?, Tensor?> _known;

    internal InferenceContext(Node node, long opset, Func<Value?, Tensor?> known)
    {
        Node = node;
        Opset = opset;
        _known = known;
    }

    /// <summary>The node being inferred.</summary>
    public Node Node { get; }

    /// <summary>The default-domain opset version the model imports.</summary>
    public long Opset { get; }

    /// <summary>Number of input slots (omitted ones included).</summary>
    public int InputCount => Node.Inputs.Count;

    /// <summary>Input <paramref name="index"/>'s tensor type, or null.</summary>
    public TensorType? Type(int index) => Node.Input(index)?.TensorType;

    /// <summary>Input <paramref name="index"/>'s shape, or null when even its rank is unknown.</summary>
    public TensorShape? Shape(int index) => Type(index)?.Shape;

    /// <summary>Input <paramref name="index"/>'s element type, or Undefined.</summary>
    public DataType ElementType(int index) => Type(index)?.ElementType ?? DataType.Undefined;

    /// <summary>Input <paramref name="index"/>'s value when known before run time: a constant, or a propagated shape value.</summary>
    public Tensor? Constant(int index) => _known(Node.Input(index));

    /// <summary>Input <paramref name="index"/>'s constant integers (shapes, axes, pads), or null.</summary>
    public long[]? ConstantInts(int index)
    {
        var constant = Constant(index);
        return constant is null || DataTypes.IsFloatingPoint(constant.ElementType) || constant.ElementType == DataType.String ? null : constant.ToInt64Array();
    }

    /// <summary>An integer list attribute, or null.</summary>
    public long[]? Ints(string name) => Node.GetInts(name)?.ToArray();

    /// <summary>An integer attribute.</summary>
    public long Int(string name, long fallback) => Node.GetInt(name, fallback);
}

/// <summary>Where constant tensors live: initializers nobody can override, and Constant nodes.</summary>
public static class ConstantValues
{
    /// <summary>The value's constant content, or null when it is computed at run time.</summary>
    public static Tensor? Of(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.ConstantValue is { } initializer)
        {
            return initializer;
        }

        if (value.Producer is { } producer && producer.Is("Constant"))
        {
            return FromConstantNode(producer);
        }

        return null;
    }

    /// <summary>The tensor a Constant node produces, from whichever value attribute it carries.</summary>
    public static Tensor? FromConstantNode(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var attribute in node.Attributes)
        {
            switch (attribute.Name)
            {
                case "value" when attribute.Kind == AttributeKind.Tensor:
                    return attribute.Tensor;
                case "value_float":
                    return Tensor.Scalar(attribute.Float);
                case "value_floats":
                    return Tensor.Vector([.. attribute.Floats]);
                case "value_int":
                    return Tensor.Scalar(attribute.Int);
                case "value_ints":
                    return Tensor.Vector([.. attribute.Ints]);
            }
        }

        return null;
    }
}
