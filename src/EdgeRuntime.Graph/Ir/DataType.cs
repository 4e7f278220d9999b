namespace EdgeRuntime.Graph.Ir;

/// <summary>Tensor element types, numbered as in the ONNX specification.</summary>
public enum DataType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
    Float8E4M3FN = 17,
    Float8E4M3FNUZ = 18,
    Float8E5M2 = 19,
    Float8E5M2FNUZ = 20,
    UInt4 = 21,
    Int4 = 22,
    Float4E2M1 = 23,
    Float8E8M0 = 24,
    UInt2 = 25,
    Int2 = 26,
}

/// <summary>Facts about <see cref="DataType"/> values.</summary>
public static class DataTypes
{
    /// <summary>Bits per element; 0 for strings and undefined.</summary>
    public static int BitWidth(DataType type) => type switch
    {
        DataType.Bool or DataType.UInt8 or DataType.Int8 => 8,
        DataType.Float8E4M3FN or DataType.Float8E4M3FNUZ or DataType.Float8E5M2 or DataType.Float8E5M2FNUZ or DataType.Float8E8M0 => 8,
        DataType.UInt16 or DataType.Int16 or DataType.Float16 or DataType.BFloat16 => 16,
        DataType.Float or DataType.Int32 or DataType.UInt32 => 32,
        DataType.Double or DataType.Int64 or DataType.UInt64 or DataType.Complex64 => 64,
        DataType.Complex128 => 128,
        DataType.UInt4 or DataType.Int4 or DataType.Float4E2M1 => 4,
        DataType.UInt2 or DataType.Int2 => 2,
        _ => 0,
    };

    /// <summary>Whether <paramref name="type"/> is a defined ONNX element type.</summary>
    public static bool IsDefined(DataType type) => type is > DataType.Undefined and <= DataType.Int2;

    /// <summary>Bytes that <paramref name="elementCount"/> elements take in raw (little-endian, packed) form.</summary>
    /// <exception cref="ArgumentException">Strings have no fixed size.</exception>
    public static long ByteSize(DataType type, long elementCount)
    {
        var bits = BitWidth(type);
        if (bits == 0)
        {
            throw new ArgumentException($"{type} has no fixed element size", nameof(type));
        }

        return checked((elementCount * bits + 7) / 8);
    }

    /// <summary>Floating-point element types (where results are compared with tolerances).</summary>
    public static bool IsFloatingPoint(DataType type) => type is DataType.Float or DataType.Double or DataType.Float16 or DataType.BFloat16
        or DataType.Float8E4M3FN or DataType.Float8E4M3FNUZ or DataType.Float8E5M2 or DataType.Float8E5M2FNUZ or DataType.Float8E8M0 or DataType.Float4E2M1;

    /// <summary>The lower-case name ONNX documentation uses ("float", "int64", …).</summary>
    public static string Name(DataType type) => type.ToString().ToLowerInvariant();
}
