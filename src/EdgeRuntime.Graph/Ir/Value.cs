namespace EdgeRuntime.Graph.Ir;

/// <summary>A place where a node reads one of its inputs.</summary>
/// <param name="Node">The reading node (possibly inside a subgraph of the value's graph).</param>
/// <param name="InputIndex">Which input of it.</param>
public readonly record struct ValueUse(Node Node, int InputIndex);

/// <summary>
/// A named tensor (or other value) in a graph: a graph input, an initializer, or a node output. Its uses
/// include nodes in nested subgraphs that read it from the outer scope.
/// </summary>
public sealed class Value
{
    private readonly List<ValueUse> _uses = [];

    // How many output slots of graphs (its own or nested subgraphs returning an outer value) name it.
    private int _outputSlots;

    internal Value(Graph owner, string name)
    {
        Owner = owner;
        Name = name;
    }

    /// <summary>The graph that defines it.</summary>
    public Graph Owner { get; }

    /// <summary>Its name (unique in the model once exported).</summary>
    public string Name { get; internal set; }

    /// <summary>Its type, when known.</summary>
    public ValueType? Type { get; set; }

    /// <summary>The node producing it, for node outputs.</summary>
    public Node? Producer { get; internal set; }

    /// <summary>The constant data, for initializers.</summary>
    public Tensor? Initializer { get; internal set; }

    /// <summary>Whether it is an input of its graph (an initializer may be one too: overridable at run time).</summary>
    public bool IsGraphInput { get; internal set; }

    /// <summary>Whether its graph lists it as an output.</summary>
    public bool IsGraphOutput => Owner.Outputs.Contains(this);

    /// <summary>Whether its content is fixed: an initializer nobody can override.</summary>
    public bool IsConstant => Initializer is not null && !IsGraphInput;

    /// <summary>The constant content, or null (overridable initializers are not constant).</summary>
    public Tensor? ConstantValue => IsConstant ? Initializer : null;

    /// <summary>Every node input that reads it, in this graph and nested subgraphs.</summary>
    public IReadOnlyList<ValueUse> Uses => _uses;

    /// <summary>Whether anything reads it: a node, an output of its graph, or an output of a nested subgraph (an If branch may return an outer value).</summary>
    public bool IsUsed => _uses.Count > 0 || _outputSlots > 0;

    /// <summary>The tensor type, when its type is one.</summary>
    public TensorType? TensorType => Type as TensorType;

    internal void AddUse(Node node, int index) => _uses.Add(new ValueUse(node, index));

    internal void RemoveUse(Node node, int index) => _uses.Remove(new ValueUse(node, index));

    internal void AddOutputSlot() => _outputSlots++;

    internal void RemoveOutputSlot() => _outputSlots--;

    /// <inheritdoc />
    public override string ToString() => Name;
}
