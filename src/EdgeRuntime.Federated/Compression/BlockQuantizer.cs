namespace EdgeRuntime.Federated.Compression;

/// <summary>
/// Symmetric 8-bit quantisation in blocks: each block of <see cref="BlockSize"/> values is stored as int8 codes
/// round(x / s) with s = max|x| / 127 and its scale s as float32 (the scheme of llama.cpp's Q8_0, with larger blocks).
/// The rounding error of one value is at most s/2; per block, so one large value does not flatten the rest of the
/// tensor. A block of zeros has scale 0.
/// </summary>
public static class BlockQuantizer
{
    /// <summary>Values per block.</summary>
    public const int BlockSize = 256;

    /// <summary>Blocks needed for <paramref name="length"/> values.</summary>
    public static int Blocks(int length) => (length + BlockSize - 1) / BlockSize;

    /// <summary>Quantises <paramref name="values"/> into <paramref name="codes"/> (same length) and <paramref name="scales"/> (one per block).</summary>
    public static void Quantize(ReadOnlySpan<float> values, Span<sbyte> codes, Span<float> scales)
    {
        Check(values.Length, codes.Length, scales.Length);
        for (int b = 0, start = 0; start < values.Length; b++, start += BlockSize)
        {
            var block = values.Slice(start, Math.Min(BlockSize, values.Length - start));
            var max = 0f;
            foreach (var x in block)
            {
                max = Math.Max(max, Math.Abs(x));
            }

            var scale = max / 127f;
            scales[b] = scale;
            var inverse = scale > 0 ? 1f / scale : 0f;
            for (var i = 0; i < block.Length; i++)
            {
                codes[start + i] = (sbyte)Math.Clamp(MathF.Round(block[i] * inverse), -127, 127);
            }
        }
    }

    /// <summary>The values <paramref name="codes"/> and <paramref name="scales"/> stand for.</summary>
    public static void Dequantize(ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales, Span<float> values)
    {
        Check(values.Length, codes.Length, scales.Length);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = codes[i] * scales[i / BlockSize];
        }
    }

    private static void Check(int values, int codes, int scales)
    {
        if (codes != values || scales != Blocks(values))
        {
            throw new ArgumentException($"8-bit blocks: {values} values need {values} codes and {Blocks(values)} scales, not {codes} and {scales}");
        }
    }
}
