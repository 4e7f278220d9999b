namespace EdgeRuntime.Graph.Ir;

/// <summary>The type of a value in a graph.</summary>
public abstract record ValueType;

/// <summary>A tensor of <paramref name="ElementType"/>; <paramref name="Shape"/> null when even the rank is unknown.</summary>
public sealed record TensorType(DataType ElementType, TensorShape? Shape) : ValueType
{
    /// <inheritdoc />
    public override string ToString() => $"{DataTypes.Name(ElementType)}{Shape?.ToString() ?? "[*]"}";
}

/// <summary>
/// A non-tensor type (sequence, map, optional, sparse tensor) the IR carries without interpreting:
/// <paramref name="Encoded"/> is the format adapter's own encoding, written back unchanged.
/// </summary>
public sealed record OpaqueValueType(string Kind, ReadOnlyMemory<byte> Encoded) : ValueType
{
    /// <inheritdoc />
    public override string ToString() => Kind;
}
