using System.Collections.Immutable;

namespace EdgeRuntime.Graph.Ir;

/// <summary>An operator application in a graph. Create and change nodes through <see cref="Ir.Graph"/>.</summary>
public sealed class Node
{
    private readonly List<Value?> _inputs = [];
    private readonly List<Value?> _outputs = [];
    private readonly Dictionary<string, Attribute> _attributes = new(StringComparer.Ordinal);
    private readonly List<string> _attributeOrder = [];

    internal Node(Graph owner, string opType, string domain, string name)
    {
        Owner = owner;
        OpType = opType;
        Domain = domain;
        Name = name;
    }

    /// <summary>The graph that holds it.</summary>
    public Graph Owner { get; }

    /// <summary>The operator, e.g. "Conv".</summary>
    public string OpType { get; }

    /// <summary>The operator's domain; empty for the default ONNX domain (ai.onnx).</summary>
    public string Domain { get; }

    /// <summary>The node's name (may be empty in source models; export gives it one).</summary>
    public string Name { get; internal set; }

    /// <summary>Fields of the source format the IR does not model, written back unchanged.</summary>
    public ReadOnlyMemory<byte> Preserved { get; set; }

    /// <summary>Inputs in order; null marks an omitted optional input.</summary>
    public IReadOnlyList<Value?> Inputs => _inputs;

    /// <summary>Outputs in order; null marks an omitted optional output.</summary>
    public IReadOnlyList<Value?> Outputs => _outputs;

    /// <summary>Attributes in their source order.</summary>
    public IEnumerable<Attribute> Attributes => _attributeOrder.Select(n => _attributes[n]);

    /// <summary>Every subgraph of its attributes (If branches, Loop and Scan bodies).</summary>
    public IEnumerable<Graph> Subgraphs => Attributes.SelectMany(a => a.Subgraphs);

    /// <summary>Whether it is in the default ONNX domain with the given op type.</summary>
    public bool Is(string opType) => OpType == opType && Domain.Length == 0;

    /// <summary>Input <paramref name="index"/>, or null when absent or omitted.</summary>
    public Value? Input(int index) => index < _inputs.Count ? _inputs[index] : null;

    /// <summary>The single output of a one-output node.</summary>
    public Value Output => _outputs.Count >= 1 && _outputs[0] is { } first ? first : throw new InvalidOperationException($"node '{Name}' ({OpType}) has no first output");

    public Attribute? Attribute(string name) => _attributes.GetValueOrDefault(name);

    public long GetInt(string name, long fallback) => Attribute(name)?.Int ?? fallback;

    public float GetFloat(string name, float fallback) => Attribute(name)?.Float ?? fallback;

    public string GetString(string name, string fallback) => Attribute(name)?.String ?? fallback;

    public ImmutableArray<long>? GetInts(string name) => Attribute(name)?.Ints;

    /// <summary>Adds or replaces an attribute.</summary>
    public void SetAttribute(Attribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        if (!_attributes.ContainsKey(attribute.Name))
        {
            _attributeOrder.Add(attribute.Name);
        }

        _attributes[attribute.Name] = attribute;
        foreach (var subgraph in attribute.Subgraphs)
        {
            subgraph.AttachTo(this);
        }
    }

    /// <summary>Removes an attribute if present.</summary>
    public void RemoveAttribute(string name)
    {
        if (_attributes.Remove(name))
        {
            _attributeOrder.Remove(name);
        }
    }

    /// <summary>Points input <paramref name="index"/> at <paramref name="value"/>, keeping use lists right.</summary>
    public void SetInput(int index, Value? value)
    {
        while (_inputs.Count <= index)
        {
            _inputs.Add(null);
        }

        _inputs[index]?.RemoveUse(this, index);
        _inputs[index] = value;
        value?.AddUse(this, index);
    }

    /// <summary>Drops trailing omitted inputs (ONNX writes them as empty names; trailing ones can go).</summary>
    public void TrimOmittedInputs()
    {
        while (_inputs.Count > 0 && _inputs[^1] is null)
        {
            _inputs.RemoveAt(_inputs.Count - 1);
        }
    }

    internal void AppendInput(Value? value)
    {
        _inputs.Add(value);
        value?.AddUse(this, _inputs.Count - 1);
    }

    internal void AppendOutput(Value? value)
    {
        _outputs.Add(value);
        if (value is not null)
        {
            value.Producer = this;
        }
    }

    internal void DetachInputs()
    {
        for (var i = 0; i < _inputs.Count; i++)
        {
            _inputs[i]?.RemoveUse(this, i);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{(Domain.Length > 0 ? Domain + "." : string.Empty)}{OpType} '{Name}'";
}
