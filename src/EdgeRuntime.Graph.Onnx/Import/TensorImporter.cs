using System.Runtime.InteropServices;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Import;

/// <summary>
/// Turns TensorProto into IR tensors. Every size is checked against the bytes actually present before a
/// buffer is allocated, so a few bytes that declare 10^12 elements cost nothing.
/// </summary>
internal sealed class TensorImporter(string source, string? baseDirectory, OnnxReadOptions options)
{
    private long _totalBytes;

    public Tensor Import(TensorProto proto, string what)
    {
        var type = (DataType)proto.DataType;
        if (!DataTypes.IsDefined(type))
        {
            throw Fail($"{what} has unknown element type {proto.DataType}");
        }

        if (proto.Segment is not null)
        {
            throw Fail($"{what} is a segment of a larger tensor; segmented tensors are not supported");
        }

        var dims = proto.Dims.ToArray();
        var count = ElementCount(dims, what);
        if (type == DataType.String)
        {
            if (proto.StringData.Count != count)
            {
                throw Fail($"{what} declares {count} strings (dims [{string.Join(",", dims)}]) but holds {proto.StringData.Count}");
            }

            Account(proto.StringData.Sum(s => (long)s.Length), what);
            return Tensor.FromStrings(dims, proto.StringData.Select(s => (ReadOnlyMemory<byte>)s.ToByteArray()));
        }

        var expected = DataTypes.ByteSize(type, count);
        if (expected > options.MaxTensorBytes)
        {
            throw Fail($"{what} declares {count} {DataTypes.Name(type)} elements (dims [{string.Join(",", dims)}]), {expected} bytes, more than the limit of {options.MaxTensorBytes}");
        }

        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return Tensor.FromBytes(type, dims, ReadExternal(proto, expected, what));
        }

        if (proto.HasRawData)
        {
            if (proto.RawData.Length != expected)
            {
                throw Fail($"{what} declares {count} {DataTypes.Name(type)} elements (dims [{string.Join(",", dims)}]) but holds {proto.RawData.Length} bytes instead of {expected}");
            }

            Account(expected, what);
            return Tensor.FromBytes(type, dims, proto.RawData.ToByteArray());
        }

        var present = TypedCount(proto, type);
        var needed = type is DataType.UInt4 or DataType.Int4 or DataType.Float4E2M1 ? (count + 1) / 2
            : type is DataType.UInt2 or DataType.Int2 ? (count + 3) / 4
            : type is DataType.Complex64 or DataType.Complex128 ? count * 2
            : count;
        if (present != needed)
        {
            throw Fail($"{what} declares {count} {DataTypes.Name(type)} elements (dims [{string.Join(",", dims)}]) but holds {present} values");
        }

        Account(expected, what);
        return Tensor.FromBytes(type, dims, FromTypedFields(proto, type, expected));
    }

    private long ElementCount(long[] dims, string what)
    {
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw Fail($"{what} has a negative dimension {dim} (dims [{string.Join(",", dims)}])");
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                throw Fail($"{what} declares more elements than can be counted (dims [{string.Join(",", dims)}])");
            }
        }

        return count;
    }

    private static int TypedCount(TensorProto proto, DataType type) => type switch
    {
        DataType.Float or DataType.Complex64 => proto.FloatData.Count,
        DataType.Double or DataType.Complex128 => proto.DoubleData.Count,
        DataType.Int64 => proto.Int64Data.Count,
        DataType.UInt32 or DataType.UInt64 => proto.Uint64Data.Count,
        _ => proto.Int32Data.Count,
    };

    private static byte[] FromTypedFields(TensorProto proto, DataType type, long byteCount)
    {
        var bytes = new byte[byteCount];
        switch (type)
        {
            case DataType.Float or DataType.Complex64:
                MemoryMarshal.AsBytes(proto.FloatData.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case DataType.Double or DataType.Complex128:
                MemoryMarshal.AsBytes(proto.DoubleData.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case DataType.Int64:
                MemoryMarshal.AsBytes(proto.Int64Data.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case DataType.UInt64:
                MemoryMarshal.AsBytes(proto.Uint64Data.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case DataType.UInt32:
                var wide = proto.Uint64Data;
                for (var i = 0; i < wide.Count; i++)
                {
                    BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (uint)wide[i]);
                }

                break;
            case DataType.Int32:
                MemoryMarshal.AsBytes(proto.Int32Data.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case DataType.Int16 or DataType.UInt16 or DataType.Float16 or DataType.BFloat16:
                for (var i = 0; i < proto.Int32Data.Count; i++)
                {
                    BitConverter.TryWriteBytes(bytes.AsSpan(i * 2), (ushort)proto.Int32Data[i]);
                }

                break;
            default:
                // One byte per element (int8, uint8, bool, float8) or packed sub-byte types: the low byte of each value.
                for (var i = 0; i < proto.Int32Data.Count; i++)
                {
                    bytes[i] = (byte)proto.Int32Data[i];
                }

                break;
        }

        return bytes;
    }

    private byte[] ReadExternal(TensorProto proto, long expected, string what)
    {
        if (!options.AllowExternalData)
        {
            throw Fail($"{what} keeps its data in an external file, which this reader does not allow");
        }

        if (baseDirectory is null)
        {
            throw Fail($"{what} keeps its data in an external file, but the model was not read from a folder");
        }

        var entries = proto.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (!entries.TryGetValue("location", out var location) || string.IsNullOrEmpty(location))
        {
            throw Fail($"{what} is external but names no location");
        }

        var path = ConfinedPath(location, what);
        var offset = ParseLong(entries, "offset", 0, what);
        var length = ParseLong(entries, "length", expected, what);
        if (length != expected)
        {
            throw Fail($"{what} needs {expected} bytes but its external data entry says {length}");
        }

        long fileLength;
        try
        {
            fileLength = new FileInfo(path).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"{what}: external data file '{location}' cannot be read: {ex.Message}");
        }

        if (offset < 0 || offset > fileLength || fileLength - offset < length)
        {
            throw Fail($"{what}: external data file '{location}' has {fileLength} bytes, too few for {length} bytes at offset {offset}");
        }

        Account(expected, what);
        var buffer = new byte[length];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>The external data path, which must stay inside the model's folder, links included.</summary>
    private string ConfinedPath(string location, string what)
    {
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
        {
            throw Fail($"{what}: external data location '{location}' leaves the model's folder (absolute paths and '..' are refused)");
        }

        var root = Path.GetFullPath(baseDirectory!);
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(root, location));
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw Fail($"{what}: external data location '{location}' leaves the model's folder");
        }

        // Every component below the model's folder must be a plain directory or file, not a link out of it.
        var current = root;
        foreach (var part in Path.GetRelativePath(root, full).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? string.Empty;
                if (!target.StartsWith(rootWithSeparator, StringComparison.Ordinal))
                {
                    throw Fail($"{what}: external data location '{location}' is a link that leaves the model's folder");
                }
            }
        }

        if (!File.Exists(full))
        {
            throw Fail($"{what}: external data file '{location}' does not exist");
        }

        return full;
    }

    private long ParseLong(Dictionary<string, string> entries, string key, long fallback, string what)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Fail($"{what}: external data {key} '{text}' is not a non-negative number");
    }

    private void Account(long bytes, string what)
    {
        _totalBytes += bytes;
        if (_totalBytes > options.MaxTotalTensorBytes)
        {
            throw Fail($"the tensors reach {_totalBytes} bytes at {what}, more than the limit of {options.MaxTotalTensorBytes}");
        }
    }

    private OnnxFormatException Fail(string problem) => new($"{source}: {problem}");

    /// <summary>Densifies a sparse tensor (values at linear or coordinate indices, zeros elsewhere).</summary>
    public Tensor ImportSparse(SparseTensorProto sparse, string what)
    {
        var values = Import(sparse.Values ?? throw Fail($"{what} has no values"), $"{what} (values)");
        var indices = Import(sparse.Indices ?? throw Fail($"{what} has no indices"), $"{what} (indices)").ToInt64Array();
        var dims = sparse.Dims.ToArray();
        var count = ElementCount(dims, what);
        if (values.ElementType == DataType.String || DataTypes.BitWidth(values.ElementType) % 8 != 0)
        {
            throw Fail($"{what}: sparse {DataTypes.Name(values.ElementType)} tensors are not supported");
        }

        var elementBytes = DataTypes.BitWidth(values.ElementType) / 8;
        var expected = DataTypes.ByteSize(values.ElementType, count);
        if (expected > options.MaxTensorBytes)
        {
            throw Fail($"{what} densifies to {expected} bytes, more than the limit of {options.MaxTensorBytes}");
        }

        var nonZero = values.ElementCount;
        var rank = dims.Length;
        if (indices.Length != nonZero && indices.Length != nonZero * rank)
        {
            throw Fail($"{what} has {nonZero} values but {indices.Length} indices");
        }

        Account(expected, what);
        var dense = new byte[expected];
        var source = values.Data.Span;
        for (long i = 0; i < nonZero; i++)
        {
            long linear;
            if (indices.Length == nonZero)
            {
                linear = indices[i];
            }
            else
            {
                linear = 0;
                for (var axis = 0; axis < rank; axis++)
                {
                    linear = (linear * dims[axis]) + indices[(i * rank) + axis];
                }
            }

            if (linear < 0 || linear >= count)
            {
                throw Fail($"{what} has an index outside its shape");
            }

            source.Slice((int)(i * elementBytes), elementBytes).CopyTo(dense.AsSpan((int)(linear * elementBytes)));
        }

        return Tensor.FromBytes(values.ElementType, dims, dense);
    }

    /// <summary>Raw protobuf bytes of a message, for opaque attributes.</summary>
    public static byte[] Encode(IMessage message) => message.ToByteArray();
}
