using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes.Fusion;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// Appends ONNX operators to the training graph on behalf of the gradient rules and losses, in the form the model's
/// imported opset defines (ReduceSum's axes as an attribute before opset 13 and an input after, Slice's before and
/// after 10, …), and refuses with one line when an operator a gradient needs does not exist in that opset yet.
/// </summary>
internal sealed partial class GradientEmitter
{
    private readonly Dictionary<(DataType, double), Value> _scalars = [];
    private readonly Dictionary<Value, Value> _shapes = [];

    public GradientEmitter(Model model)
    {
        Graph = model.Graph;
        Opset = model.OpsetVersion() ?? 1;
    }

    /// <summary>The training graph.</summary>
    public Ir.Graph Graph { get; }

    /// <summary>The default-domain opset the model imports.</summary>
    public long Opset { get; }

    /// <summary>What the emitted nodes are named after (the forward node or the loss term) and named in errors.</summary>
    public string Scope { get; set; } = "grad";

    /// <summary>The forward node whose gradient is being emitted, for error messages; null for losses.</summary>
    public Node? Node { get; set; }

    /// <summary>Fails unless the model's opset has reached <paramref name="version"/>.</summary>
    public void Require(long version, string what)
    {
        if (Opset < version)
        {
            throw Fail($"{what} needs opset {version} or later; the model imports opset {Opset}");
        }
    }

    /// <summary>A one-line error about the current node (or scope).</summary>
    public TrainingGraphException Fail(string reason) =>
        new(Node is { } node ? $"node '{node.Name}' ({node.OpType}): {reason}" : $"{Scope}: {reason}");

    /// <summary>Adds a single-output node.</summary>
    public Value Op(string opType, IEnumerable<Value?> inputs, params Ir.Attribute[] attributes) =>
        Graph.AddNode(opType, inputs, [$"{Scope}/{opType}_out"], name: $"{Scope}/{opType}", attributes: attributes).Output;

    /// <summary>Adds a node with <paramref name="outputs"/> outputs.</summary>
    public IReadOnlyList<Value> Ops(string opType, IEnumerable<Value?> inputs, int outputs, params Ir.Attribute[] attributes) =>
        Graph.AddNode(opType, inputs, Enumerable.Range(0, outputs).Select(i => (string?)$"{Scope}/{opType}_out{i}"), name: $"{Scope}/{opType}", attributes: attributes)
            .Outputs.Select(o => o!).ToList();

    /// <summary>A constant initializer.</summary>
    public Value Constant(Tensor tensor, string hint = "const") => Graph.AddInitializer($"{Scope}/{hint}", tensor);

    /// <summary>A rank-0 constant of a floating-point <paramref name="type"/> (shared by every reader).</summary>
    public Value Scalar(double value, DataType type)
    {
        if (!_scalars.TryGetValue((type, value), out var constant))
        {
            constant = Graph.AddInitializer("grad/scalar", Floats(type, [value], []));
            _scalars[(type, value)] = constant;
        }

        return constant;
    }

    /// <summary>A 1-D int64 constant.</summary>
    public Value Int64s(params long[] values) => Constant(Tensor.From<long>(values, values.Length), "ints");

    /// <summary>A tensor of a floating-point <paramref name="type"/> from double values.</summary>
    public Tensor Floats(DataType type, double[] values, long[] dims)
    {
        if (!ChannelConstants.CanRefold(type))
        {
            throw Fail($"gradients of {DataTypes.Name(type)} tensors are not supported (float, double and float16 are)");
        }

        return ChannelConstants.FromDoubles(type, values, dims);
    }

    public Value Add(Value a, Value b) => Op("Add", [a, b]);

    public Value Sub(Value a, Value b) => Op("Sub", [a, b]);

    public Value Mul(Value a, Value b) => Op("Mul", [a, b]);

    public Value Div(Value a, Value b) => Op("Div", [a, b]);

    public Value Neg(Value a) => Op("Neg", [a]);

    public Value Exp(Value a) => Op("Exp", [a]);

    public Value Sqrt(Value a) => Op("Sqrt", [a]);

    public Value Reciprocal(Value a) => Op("Reciprocal", [a]);

    public Value Relu(Value a) => Op("Relu", [a]);

    public Value Abs(Value a) => Op("Abs", [a]);

    public Value MatMul(Value a, Value b) => Op("MatMul", [a, b]);

    public Value Cast(Value a, DataType to) => Op("Cast", [a], Ir.Attribute.FromInt("to", (long)to));

    /// <summary>a &gt; b as a bool tensor (float operands: Greater has float since opset 7).</summary>
    public Value Greater(Value a, Value b) => Op("Greater", [a, b]);

    /// <summary>a &lt; b as a bool tensor.</summary>
    public Value Less(Value a, Value b) => Op("Less", [a, b]);

    public Value Not(Value a) => Op("Not", [a]);

    public Value And(Value a, Value b) => Op("And", [a, b]);

    /// <summary>A bool mask as 0/1 of <paramref name="type"/>.</summary>
    public Value Mask(Value condition, DataType type) => Cast(condition, type);

    public Value Transpose(Value a, IReadOnlyList<long> perm) => Op("Transpose", [a], Ir.Attribute.FromInts("perm", perm));

    public Value Concat(IEnumerable<Value> values, long axis) => Op("Concat", values, Ir.Attribute.FromInt("axis", axis));

    /// <summary>Reshape to a 1-D int64 shape value (Reshape takes the shape as an input from opset 5).</summary>
    public Value Reshape(Value a, Value shape)
    {
        Require(5, "Reshape with a shape input");
        return Op("Reshape", [a, shape]);
    }

    /// <summary>Reshape to a static shape (0 copies the input's dimension, −1 is inferred).</summary>
    public Value Reshape(Value a, params long[] shape) => Reshape(a, Int64s(shape));

    /// <summary>The number of elements, as a rank-0 int64.</summary>
    public Value Size(Value a) => Op("Size", [a]);

    /// <summary>The inverse of a permutation.</summary>
    public static long[] Inverse(IReadOnlyList<long> perm)
    {
        var inverse = new long[perm.Count];
        for (var i = 0; i < perm.Count; i++)
        {
            inverse[perm[i]] = i;
        }

        return inverse;
    }
}
