namespace EdgeRuntime.Graph.Ir;

/// <summary>
/// A computation graph: inputs, initializers, nodes and outputs, with use-def chains. Subgraphs (If
/// branches, Loop/Scan bodies) are graphs whose <see cref="Parent"/> is the graph of their node; they read
/// outer values directly, and those reads appear in the outer value's <see cref="Value.Uses"/>.
/// Value names are unique across the whole model, and so are node names; the two are separate namespaces, as
/// in ONNX (a node may be called like a value without renaming either). Not thread-safe.
/// </summary>
public sealed partial class Graph
{
    private readonly List<Node> _nodes = [];
    private readonly List<Value> _inputs = [];
    private readonly List<Value> _outputs = [];
    private readonly List<Value> _initializers = [];
    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
    private readonly NameRegistry _names;
    private readonly NameRegistry _nodeNames;

    /// <summary>Creates a top-level graph.</summary>
    public Graph(string name)
    {
        Name = name;
        _names = new NameRegistry();
        _nodeNames = new NameRegistry();
    }

    private Graph(string name, Graph parent)
    {
        Name = name;
        Parent = parent;
        _names = parent._names;
        _nodeNames = parent._nodeNames;
    }

    /// <summary>The graph's name.</summary>
    public string Name { get; set; }

    /// <summary>The enclosing graph, for subgraphs.</summary>
    public Graph? Parent { get; private set; }

    /// <summary>The node whose attribute holds this subgraph.</summary>
    public Node? OwnerNode { get; private set; }

    /// <summary>Fields of the source format the IR does not model, written back unchanged.</summary>
    public ReadOnlyMemory<byte> Preserved { get; set; }

    /// <summary>Nodes in insertion order; <see cref="TopologicalOrder"/> gives execution order.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Graph inputs in order (overridable initializers included).</summary>
    public IReadOnlyList<Value> Inputs => _inputs;

    /// <summary>Graph outputs in order.</summary>
    public IReadOnlyList<Value> Outputs => _outputs;

    /// <summary>Values with initializer data, in insertion order.</summary>
    public IReadOnlyList<Value> Initializers => _initializers;

    /// <summary>Every value this graph defines (inputs, initializers, node outputs).</summary>
    public IEnumerable<Value> Values => _values.Values;

    /// <summary>The top-level graph.</summary>
    public Graph Root => Parent?.Root ?? this;

    /// <summary>How deep this graph is nested (0 for the top level).</summary>
    public int Depth => Parent is null ? 0 : Parent.Depth + 1;

    /// <summary>This graph and every graph nested in it, outermost first.</summary>
    public IEnumerable<Graph> SelfAndDescendants()
    {
        yield return this;
        foreach (var node in _nodes)
        {
            foreach (var subgraph in node.Subgraphs)
            {
                foreach (var nested in subgraph.SelfAndDescendants())
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>Creates an empty subgraph whose nodes may read this graph's values; attach it with a graph attribute.</summary>
    public Graph CreateSubgraph(string name) => new(name, this);

    /// <summary>
    /// A value name no value in the model has yet, based on <paramref name="hint"/>. It is not reserved: the value
    /// created with it next keeps it (a second value asking for the same name gets a suffix).
    /// </summary>
    public string UniqueName(string hint) => _names.Suggest(hint);

    /// <summary>The value named <paramref name="name"/> defined by this graph, or null.</summary>
    public Value? FindValue(string name) => _values.GetValueOrDefault(name);

    /// <summary>The value named <paramref name="name"/> in this graph or, failing that, an enclosing one.</summary>
    public Value? Resolve(string name) => FindValue(name) ?? Parent?.Resolve(name);

    /// <summary>Adds a graph input.</summary>
    public Value AddInput(string name, ValueType? type)
    {
        var value = NewValue(name);
        value.Type = type;
        value.IsGraphInput = true;
        _inputs.Add(value);
        return value;
    }

    /// <summary>Adds an initializer; <paramref name="overridable"/> also lists it as a graph input (pre-IR-4 exporters did so).</summary>
    public Value AddInitializer(string name, Tensor tensor, bool overridable = false)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var value = NewValue(name);
        value.Initializer = tensor;
        value.Type = new TensorType(tensor.ElementType, tensor.Shape);
        _initializers.Add(value);
        if (overridable)
        {
            value.IsGraphInput = true;
            _inputs.Add(value);
        }

        return value;
    }

    /// <summary>Lists an existing initializer as a graph input too, at the end of the inputs.</summary>
    public void MarkOverridable(Value initializer)
    {
        if (initializer.Owner != this || initializer.Initializer is null || initializer.IsGraphInput)
        {
            throw new InvalidOperationException($"'{initializer.Name}' is not an initializer of this graph that could be made overridable");
        }

        initializer.IsGraphInput = true;
        _inputs.Add(initializer);
    }

    /// <summary>
    /// Adds a node reading <paramref name="inputs"/> (null = omitted) and producing one value per entry of
    /// <paramref name="outputNames"/> (null = omitted output; names are made unique).
    /// </summary>
    public Node AddNode(string opType, IEnumerable<Value?> inputs, IEnumerable<string?> outputNames, string domain = "", string? name = null, IEnumerable<Attribute>? attributes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        var node = new Node(this, opType, domain, _nodeNames.Reserve(name ?? opType));
        foreach (var input in inputs)
        {
            if (input is not null && !IsVisible(input))
            {
                throw new InvalidOperationException($"value '{input.Name}' is not visible from graph '{Name}'");
            }

            node.AppendInput(input);
        }

        foreach (var outputName in outputNames)
        {
            node.AppendOutput(outputName is null ? null : NewValue(outputName));
        }

        foreach (var attribute in attributes ?? [])
        {
            node.SetAttribute(attribute);
        }

        _nodes.Add(node);
        return node;
    }

    /// <summary>Adds a single-output node; the output name is derived from <paramref name="outputHint"/> or the op type.</summary>
    public Node AddNode(string opType, IEnumerable<Value?> inputs, string? outputHint = null, string domain = "", IEnumerable<Attribute>? attributes = null) =>
        AddNode(opType, inputs, [UniqueName(outputHint ?? $"{opType}_out")], domain, null, attributes);

    /// <summary>Appends a graph output (the same value may be listed more than once).</summary>
    public void AddOutput(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!IsVisible(value))
        {
            throw new InvalidOperationException($"value '{value.Name}' is not visible from graph '{Name}'");
        }

        _outputs.Add(value);
        value.AddOutputSlot();
    }

    /// <summary>Replaces the output list.</summary>
    public void SetOutputs(IEnumerable<Value> outputs)
    {
        var list = outputs.ToList();
        foreach (var output in _outputs)
        {
            output.RemoveOutputSlot();
        }

        _outputs.Clear();
        foreach (var output in list)
        {
            AddOutput(output);
        }
    }

    /// <summary>Whether <paramref name="value"/> is defined by this graph or an enclosing one.</summary>
    public bool IsVisible(Value value) => value.Owner == this || (Parent?.IsVisible(value) ?? false);

    internal void AttachTo(Node owner)
    {
        if (Parent is not null && Parent != owner.Owner)
        {
            throw new InvalidOperationException($"subgraph '{Name}' belongs to graph '{Parent.Name}', not '{owner.Owner.Name}'");
        }

        OwnerNode = owner;
        Parent = owner.Owner;
    }

    private Value NewValue(string name)
    {
        var unique = _names.Reserve(name);
        var value = new Value(this, unique);
        _values.Add(unique, value);
        return value;
    }

    /// <inheritdoc />
    public override string ToString() => $"graph '{Name}' ({_nodes.Count} nodes)";

    /// <summary>Model-wide name bookkeeping: a name, once given, is never given again.</summary>
    private sealed class NameRegistry
    {
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

        public string Reserve(string hint)
        {
            if (hint.Length > 0 && _taken.Add(hint))
            {
                return hint;
            }

            var stem = hint.Length == 0 ? "v" : hint;
            var counter = _counters.GetValueOrDefault(stem);
            string candidate;
            do
            {
                counter++;
                candidate = $"{stem}__{counter}";
            }
            while (!_taken.Add(candidate));

            _counters[stem] = counter;
            return candidate;
        }

        /// <summary>What <see cref="Reserve"/> would return now, without taking it.</summary>
        public string Suggest(string hint)
        {
            if (hint.Length > 0 && !_taken.Contains(hint))
            {
                return hint;
            }

            var stem = hint.Length == 0 ? "v" : hint;
            var counter = _counters.GetValueOrDefault(stem);
            string candidate;
            do
            {
                counter++;
                candidate = $"{stem}__{counter}";
            }
            while (_taken.Contains(candidate));

            return candidate;
        }

        public void Release(string name) => _taken.Remove(name);

        public bool Rename(string from, string to)
        {
            if (!_taken.Add(to))
            {
                return false;
            }

            _taken.Remove(from);
            return true;
        }
    }
}
