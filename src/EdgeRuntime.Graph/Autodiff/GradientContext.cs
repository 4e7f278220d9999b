using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>What a gradient rule sees of one forward node: its values, its outputs' gradients, and where to put its inputs'.</summary>
internal sealed class GradientContext
{
    private readonly IReadOnlyList<Value?> _outputGradients;
    private readonly IReadOnlySet<int> _wanted;
    private readonly Action<Value, Value> _accumulate;

    public GradientContext(Node node, GradientEmitter emitter, IReadOnlyList<Value?> outputGradients, IReadOnlySet<int> wanted, Action<Value, Value> accumulate)
    {
        Node = node;
        Emit = emitter;
        _outputGradients = outputGradients;
        _wanted = wanted;
        _accumulate = accumulate;
    }

    /// <summary>The forward node.</summary>
    public Node Node { get; }

    /// <summary>Appends operators to the training graph.</summary>
    public GradientEmitter Emit { get; }

    /// <summary>∂loss/∂(output 0).</summary>
    public Value Gradient => OutputGradient(0) ?? throw Fail("its first output carries no gradient while another does; this rule needs the first");

    /// <summary>The node's first output.</summary>
    public Value Output => Node.Output;

    /// <summary>The element type of the node's first output.</summary>
    public DataType ElementType => Emit.TypeOf(Node.Output);

    /// <summary>∂loss/∂(output <paramref name="index"/>), or null when no gradient reaches it (zero).</summary>
    public Value? OutputGradient(int index) => index < _outputGradients.Count ? _outputGradients[index] : null;

    /// <summary>Whether input <paramref name="index"/> needs a gradient (it depends on a trainable parameter).</summary>
    public bool Wants(int index) => _wanted.Contains(index);

    /// <summary>Input <paramref name="index"/>; fails when it is omitted.</summary>
    public Value Input(int index) => Node.Input(index) ?? throw Fail($"input {index} is missing");

    /// <summary>Adds <paramref name="gradient"/> (shaped like the input) to the gradient of input <paramref name="index"/>.</summary>
    public void Set(int index, Value gradient)
    {
        if (!Wants(index))
        {
            return;
        }

        _accumulate(Input(index), gradient);
    }

    /// <summary>The rank of a value; fails when unknown.</summary>
    public int Rank(Value value) => Emit.ShapeOf(value).Rank;

    /// <summary>A one-line error naming the node and its operator.</summary>
    public TrainingGraphException Fail(string reason) => Emit.Fail(reason);

    /// <summary>An integer list from input <paramref name="index"/> (when it is a constant) or else attribute <paramref name="attribute"/>; null when neither is given.</summary>
    public long[]? Ints(int index, string attribute)
    {
        if (Node.Input(index) is { } value)
        {
            return Shapes.ConstantValues.Of(value)?.ToInt64Array() ?? throw Fail($"input {index} ('{value.Name}') must be a constant for the gradient");
        }

        return Node.GetInts(attribute)?.ToArray();
    }
}
