using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace EdgeRuntime.Graph.Ir;

/// <summary>
/// Constant tensor data: an element type, dimensions, and either packed little-endian bytes or, for strings,
/// one byte string per element. Immutable; share freely.
/// </summary>
public sealed class Tensor
{
    private Tensor(DataType elementType, ImmutableArray<long> dims, ReadOnlyMemory<byte> data, ImmutableArray<ReadOnlyMemory<byte>> strings)
    {
        ElementType = elementType;
        Dims = dims;
        Data = data;
        Strings = strings;
    }

    /// <summary>The element type.</summary>
    public DataType ElementType { get; }

    /// <summary>The dimensions (all known).</summary>
    public ImmutableArray<long> Dims { get; }

    /// <summary>Packed little-endian element bytes (empty for strings).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The elements of a string tensor (empty otherwise).</summary>
    public ImmutableArray<ReadOnlyMemory<byte>> Strings { get; }

    /// <summary>The number of elements.</summary>
    public long ElementCount => ElementCountOf(Dims.AsSpan());

    /// <summary>The shape as the IR's shape type.</summary>
    public TensorShape Shape => TensorShape.Of([.. Dims]);

    /// <summary>The bytes this tensor takes (strings: their total length).</summary>
    public long ByteLength => ElementType == DataType.String ? Strings.Sum(s => (long)s.Length) : Data.Length;

    /// <summary>Creates a numeric tensor from raw bytes.</summary>
    /// <exception cref="ArgumentException">The byte count does not match the dimensions, or a dimension is negative.</exception>
    public static Tensor FromBytes(DataType elementType, ReadOnlySpan<long> dims, ReadOnlyMemory<byte> data)
    {
        if (elementType == DataType.String || !DataTypes.IsDefined(elementType))
        {
            throw new ArgumentException($"{elementType} tensors cannot be built from raw bytes", nameof(elementType));
        }

        var expected = DataTypes.ByteSize(elementType, ElementCountOf(dims));
        if (expected != data.Length)
        {
            throw new ArgumentException($"a {DataTypes.Name(elementType)} tensor of shape [{string.Join(",", dims.ToArray())}] needs {expected} bytes, got {data.Length}", nameof(data));
        }

        return new Tensor(elementType, [.. dims], data, []);
    }

    /// <summary>Creates a string tensor.</summary>
    public static Tensor FromStrings(ReadOnlySpan<long> dims, IEnumerable<ReadOnlyMemory<byte>> elements)
    {
        ImmutableArray<ReadOnlyMemory<byte>> strings = [.. elements];
        if (strings.Length != ElementCountOf(dims))
        {
            throw new ArgumentException($"a string tensor of shape [{string.Join(",", dims.ToArray())}] needs {ElementCountOf(dims)} elements, got {strings.Length}", nameof(elements));
        }

        return new Tensor(DataType.String, [.. dims], ReadOnlyMemory<byte>.Empty, strings);
    }

    /// <summary>Creates a tensor from typed values (float, double, long, int, short, sbyte, byte, bool, Half, …).</summary>
    public static Tensor From<T>(ReadOnlySpan<T> values, params long[] dims)
        where T : unmanaged
    {
        var type = DataTypeOf<T>();
        return FromBytes(type, dims, MemoryMarshal.AsBytes(values).ToArray());
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar<T>(T value)
        where T : unmanaged => From<T>([value]);

    /// <summary>A 1-D tensor holding <paramref name="values"/>.</summary>
    public static Tensor Vector<T>(params T[] values)
        where T : unmanaged => From<T>(values, values.Length);

    /// <summary>The elements as <typeparamref name="T"/>; the type must match <see cref="ElementType"/>.</summary>
    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged
    {
        if (DataTypeOf<T>() != ElementType && !(typeof(T) == typeof(byte) && DataTypes.BitWidth(ElementType) == 8))
        {
            throw new InvalidOperationException($"a {DataTypes.Name(ElementType)} tensor cannot be read as {typeof(T).Name}");
        }

        return MemoryMarshal.Cast<byte, T>(Data.Span);
    }

    /// <summary>Integer elements widened to long (int8…int64, uint8…uint32, bool); for shapes, axes, indices.</summary>
    public long[] ToInt64Array() => ElementType switch
    {
        DataType.Int64 => AsSpan<long>().ToArray(),
        DataType.Int32 => [.. AsSpan<int>().ToArray().Select(v => (long)v)],
        DataType.Int16 => [.. AsSpan<short>().ToArray().Select(v => (long)v)],
        DataType.Int8 => [.. MemoryMarshal.Cast<byte, sbyte>(Data.Span).ToArray().Select(v => (long)v)],
        DataType.UInt8 or DataType.Bool => [.. Data.Span.ToArray().Select(v => (long)v)],
        DataType.UInt16 => [.. AsSpan<ushort>().ToArray().Select(v => (long)v)],
        DataType.UInt32 => [.. AsSpan<uint>().ToArray().Select(v => (long)v)],
        _ => throw new InvalidOperationException($"a {DataTypes.Name(ElementType)} tensor holds no integers"),
    };

    /// <summary>Floating-point or integer elements as double (for comparisons and constant checks).</summary>
    public double[] ToDoubleArray() => ElementType switch
    {
        DataType.Float => [.. AsSpan<float>().ToArray().Select(v => (double)v)],
        DataType.Double => AsSpan<double>().ToArray(),
        DataType.Float16 => [.. AsSpan<Half>().ToArray().Select(v => (double)v)],
        DataType.BFloat16 => [.. MemoryMarshal.Cast<byte, ushort>(Data.Span).ToArray().Select(v => (double)BitConverter.Int32BitsToSingle(v << 16))],
        DataType.UInt64 => [.. AsSpan<ulong>().ToArray().Select(v => (double)v)],
        _ => [.. ToInt64Array().Select(v => (double)v)],
    };

    /// <summary>Whether both tensors hold the same type, shape and bytes.</summary>
    public bool ContentEquals(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ElementType != other.ElementType || !Dims.SequenceEqual(other.Dims))
        {
            return false;
        }

        if (ElementType == DataType.String)
        {
            return Strings.Length == other.Strings.Length &&
                Strings.Zip(other.Strings).All(p => p.First.Span.SequenceEqual(p.Second.Span));
        }

        return Data.Span.SequenceEqual(other.Data.Span);
    }

    /// <summary>A hash of type, shape and content, for finding duplicates.</summary>
    public int ContentHash()
    {
        var hash = new HashCode();
        hash.Add(ElementType);
        foreach (var dim in Dims)
        {
            hash.Add(dim);
        }

        if (ElementType == DataType.String)
        {
            foreach (var s in Strings)
            {
                hash.AddBytes(s.Span);
            }
        }
        else
        {
            hash.AddBytes(Data.Span);
        }

        return hash.ToHashCode();
    }

    /// <summary>The element type for a CLR type.</summary>
    public static DataType DataTypeOf<T>()
        where T : unmanaged => typeof(T) switch
        {
            var t when t == typeof(float) => DataType.Float,
            var t when t == typeof(double) => DataType.Double,
            var t when t == typeof(long) => DataType.Int64,
            var t when t == typeof(int) => DataType.Int32,
            var t when t == typeof(short) => DataType.Int16,
            var t when t == typeof(sbyte) => DataType.Int8,
            var t when t == typeof(byte) => DataType.UInt8,
            var t when t == typeof(ushort) => DataType.UInt16,
            var t when t == typeof(uint) => DataType.UInt32,
            var t when t == typeof(ulong) => DataType.UInt64,
            var t when t == typeof(bool) => DataType.Bool,
            var t when t == typeof(Half) => DataType.Float16,
            _ => throw new NotSupportedException($"{typeof(T).Name} has no ONNX element type"),
        };

    private static long ElementCountOf(ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"dimension {dim} is negative", nameof(dims));
            }

            count = checked(count * dim);
        }

        return count;
    }

    /// <inheritdoc />
    public override string ToString() => $"{DataTypes.Name(ElementType)}[{string.Join(",", Dims)}]";
}
