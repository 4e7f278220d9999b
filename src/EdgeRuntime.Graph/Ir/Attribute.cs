using System.Collections.Immutable;
using System.Text;

namespace EdgeRuntime.Graph.Ir;

/// <summary>What an attribute holds.</summary>
public enum AttributeKind
{
    Float,
    Int,
    String,
    Tensor,
    Graph,
    Floats,
    Ints,
    Strings,
    Tensors,
    Graphs,

    /// <summary>A sparse tensor, sparse tensors, a type or types: carried as the format's own bytes.</summary>
    Opaque,
}

/// <summary>A named node attribute. Immutable except for the content of graph attributes (subgraphs).</summary>
public sealed class Attribute
{
    private Attribute(string name, AttributeKind kind, object value)
    {
        Name = name;
        Kind = kind;
        RawValue = value;
    }

    /// <summary>The attribute's name.</summary>
    public string Name { get; }

    /// <summary>What it holds.</summary>
    public AttributeKind Kind { get; }

    /// <summary>In a function body: the caller's attribute this one refers to.</summary>
    public string? ReferencedAttribute { get; private init; }

    /// <summary>Fields of the source format the IR does not model (doc strings, unknown fields), written back unchanged.</summary>
    public ReadOnlyMemory<byte> Preserved { get; private init; }

    /// <summary>For <see cref="AttributeKind.Opaque"/>: which format type the bytes encode.</summary>
    public string? OpaqueKind { get; private init; }

    internal object RawValue { get; }

    public float Float => Get<float>(AttributeKind.Float);

    public long Int => Get<long>(AttributeKind.Int);

    /// <summary>A string attribute's bytes (ONNX strings are bytes; usually UTF-8).</summary>
    public ReadOnlyMemory<byte> Bytes => Get<ReadOnlyMemory<byte>>(AttributeKind.String);

    /// <summary>A string attribute decoded as UTF-8.</summary>
    public string String => Encoding.UTF8.GetString(Bytes.Span);

    public Tensor Tensor => Get<Tensor>(AttributeKind.Tensor);

    public Graph Graph => Get<Graph>(AttributeKind.Graph);

    public ImmutableArray<float> Floats => Get<ImmutableArray<float>>(AttributeKind.Floats);

    public ImmutableArray<long> Ints => Get<ImmutableArray<long>>(AttributeKind.Ints);

    public ImmutableArray<ReadOnlyMemory<byte>> Strings => Get<ImmutableArray<ReadOnlyMemory<byte>>>(AttributeKind.Strings);

    public ImmutableArray<Tensor> Tensors => Get<ImmutableArray<Tensor>>(AttributeKind.Tensors);

    public ImmutableArray<Graph> Graphs => Get<ImmutableArray<Graph>>(AttributeKind.Graphs);

    /// <summary>The encoded value of an opaque attribute.</summary>
    public ReadOnlyMemory<byte> OpaqueValue => Get<ReadOnlyMemory<byte>>(AttributeKind.Opaque);

    /// <summary>Every subgraph this attribute holds.</summary>
    public IEnumerable<Graph> Subgraphs => Kind switch
    {
        AttributeKind.Graph => [Graph],
        AttributeKind.Graphs => Graphs,
        _ => [],
    };

    public static Attribute FromFloat(string name, float value) => new(name, AttributeKind.Float, value);

    public static Attribute FromInt(string name, long value) => new(name, AttributeKind.Int, value);

    public static Attribute FromString(string name, string value) => new(name, AttributeKind.String, (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(value));

    public static Attribute FromBytes(string name, ReadOnlyMemory<byte> value) => new(name, AttributeKind.String, value);

    public static Attribute FromTensor(string name, Tensor value) => new(name, AttributeKind.Tensor, value);

    public static Attribute FromGraph(string name, Graph value) => new(name, AttributeKind.Graph, value);

    public static Attribute FromFloats(string name, IEnumerable<float> values) => new(name, AttributeKind.Floats, values.ToImmutableArray());

    public static Attribute FromInts(string name, IEnumerable<long> values) => new(name, AttributeKind.Ints, values.ToImmutableArray());

    public static Attribute FromStrings(string name, IEnumerable<ReadOnlyMemory<byte>> values) => new(name, AttributeKind.Strings, values.ToImmutableArray());

    public static Attribute FromTensors(string name, IEnumerable<Tensor> values) => new(name, AttributeKind.Tensors, values.ToImmutableArray());

    public static Attribute FromGraphs(string name, IEnumerable<Graph> values) => new(name, AttributeKind.Graphs, values.ToImmutableArray());

    public static Attribute FromOpaque(string name, string opaqueKind, ReadOnlyMemory<byte> encoded) =>
        new(name, AttributeKind.Opaque, encoded) { OpaqueKind = opaqueKind };

    /// <summary>A copy carrying the source format's extra fields and, in function bodies, the referenced attribute.</summary>
    public Attribute With(ReadOnlyMemory<byte> preserved, string? referencedAttribute) =>
        new(Name, Kind, RawValue) { Preserved = preserved, ReferencedAttribute = referencedAttribute, OpaqueKind = OpaqueKind };

    private T Get<T>(AttributeKind expected) => Kind == expected
        ? (T)RawValue
        : throw new InvalidOperationException($"attribute '{Name}' is {Kind}, not {expected}");

    /// <inheritdoc />
    public override string ToString() => $"{Name}:{Kind}";
}
