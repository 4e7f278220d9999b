using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes.Fusion;

namespace EdgeRuntime.Graph.Tests.Autodiff;

/// <summary>A small model built in code for a gradient test: parameters (initializers) with seeded random values, data inputs, nodes.</summary>
internal sealed class TestModel
{
    private readonly Random _random;

    public TestModel(long opset = 17, DataType type = DataType.Double, int seed = 7)
    {
        Graph = new Ir.Graph("test");
        Model = new Model(Graph) { IrVersion = 8 };
        Model.OpsetImports.Add(new OpsetImport(string.Empty, opset));
        Type = type;
        _random = new Random(seed);
    }

    public Model Model { get; }

    public Ir.Graph Graph { get; }

    /// <summary>The element type of parameters and inputs.</summary>
    public DataType Type { get; }

    /// <summary>The initializers created by the Param methods, in order.</summary>
    public List<string> Params { get; } = [];

    /// <summary>A trainable-candidate initializer with values uniform in [low, high).</summary>
    public Value Param(string name, long[] dims, double low = -1, double high = 1)
    {
        var count = dims.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, (int)count).Select(_ => low + (_random.NextDouble() * (high - low))).ToArray();
        return Param(name, dims, values);
    }

    /// <summary>An initializer with values of magnitude in [0.1, 1) and random sign: clear of a kink at 0 (Relu, Abs).</summary>
    public Value ParamAwayFromZero(string name, params long[] dims)
    {
        var count = dims.Aggregate(1L, (a, b) => a * b);
        return Param(name, dims, [.. Enumerable.Range(0, (int)count).Select(_ => (_random.Next(2) == 0 ? -1 : 1) * (0.1 + (0.9 * _random.NextDouble())))]);
    }

    /// <summary>An initializer with the given values.</summary>
    public Value Param(string name, long[] dims, double[] values)
    {
        Params.Add(name);
        return Graph.AddInitializer(name, ChannelConstants.FromDoubles(Type, values, dims));
    }

    /// <summary>A floating-point data input with free dimensions (the check's Feeds must give it a value).</summary>
    public Value Input(string name, Dim[] dims) => Graph.AddInput(name, new TensorType(Type, new TensorShape(dims)));

    /// <summary>A floating-point data input (fed with seeded random values by the check).</summary>
    public Value Input(string name, params long[] dims) => Graph.AddInput(name, new TensorType(Type, TensorShape.Of(dims)));

    /// <summary>An int64 constant.</summary>
    public Value Ints(string name, long[] values, params long[] dims) => Graph.AddInitializer(name, Tensor.From<long>(values, dims.Length == 0 && values.Length != 1 ? [values.Length] : dims));

    /// <summary>A single-output node.</summary>
    public Value Op(string opType, Value?[] inputs, params Ir.Attribute[] attributes) => Graph.AddNode(opType, inputs, $"{opType}_out", attributes: attributes).Output;

    /// <summary>A single-output node of another domain (imports it at version 1).</summary>
    public Value OpIn(string domain, string opType, Value?[] inputs, params Ir.Attribute[] attributes)
    {
        Model.EnsureOpset(domain, 1);
        return Graph.AddNode(opType, inputs, $"{opType}_out", domain, attributes).Output;
    }

    /// <summary>Marks graph outputs.</summary>
    public TestModel Output(params Value[] values)
    {
        foreach (var value in values)
        {
            Graph.AddOutput(value);
        }

        return this;
    }

    public static Ir.Attribute Int(string name, long value) => Ir.Attribute.FromInt(name, value);

    public static Ir.Attribute Ints(string name, params long[] values) => Ir.Attribute.FromInts(name, values);

    public static Ir.Attribute Float(string name, float value) => Ir.Attribute.FromFloat(name, value);

    public static Ir.Attribute Text(string name, string value) => Ir.Attribute.FromString(name, value);
}
