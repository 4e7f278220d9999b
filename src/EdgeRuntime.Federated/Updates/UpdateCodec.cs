using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeRuntime.Federated.Compression;

namespace EdgeRuntime.Federated.Updates;

/// <summary>
/// The update wire format <c>edge-update/1</c> (docs/protocol.md), little-endian:
/// <code>
///   "EFU1" | u32 H | header JSON (H bytes) | u32 B | body (B bytes)      ← signed part
///   | u8 K | key id (K ASCII bytes) | u8 S | signature (S bytes)          ← ECDSA P-256 over the signed part
/// </code>
/// The body holds the tensors in the header's order: <c>f32</c> — the values; <c>q8</c> — per tensor its block scales
/// (float32, one per <see cref="BlockQuantizer.BlockSize"/> values) then one int8 code per value; <c>topk-q8</c> — per
/// tensor u32 k, k u32 indices (ascending), the scales of k values, k codes. Binary rather than JSON: a 100k-parameter
/// update is 102 KB as q8, where base64 in JSON would add a third.
/// </summary>
public static class UpdateCodec
{
    /// <summary>The first four bytes.</summary>
    public static ReadOnlySpan<byte> Magic => "EFU1"u8;

    /// <summary>The largest header accepted.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>
    /// Encodes <paramref name="delta"/> (flat, in <paramref name="layout"/>) as a body, and writes into
    /// <paramref name="carried"/> exactly what a receiver will decode (the device's error feedback keeps the difference).
    /// </summary>
    /// <param name="delta">The values.</param>
    /// <param name="layout">Its tensors.</param>
    /// <param name="encoding">How to carry them.</param>
    /// <param name="topKFraction">For <see cref="UpdateEncoding.TopKQuantized8"/>: the share of each tensor's values kept (0, 1].</param>
    /// <param name="carried">Receives the decoded values (same length as <paramref name="delta"/>).</param>
    public static byte[] EncodeBody(ReadOnlySpan<float> delta, ParameterLayout layout, UpdateEncoding encoding, double topKFraction, Span<float> carried)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (delta.Length != layout.Length || carried.Length != layout.Length)
        {
            throw new ArgumentException($"update body: {delta.Length} values for a layout of {layout.Length}");
        }

        using var stream = new MemoryStream();
        for (var t = 0; t < layout.Tensors.Count; t++)
        {
            var values = delta.Slice(layout.Offsets[t], layout.Tensors[t].Length);
            var decoded = carried.Slice(layout.Offsets[t], layout.Tensors[t].Length);
            switch (encoding)
            {
                case UpdateEncoding.Float32:
                    stream.Write(MemoryMarshal.AsBytes(values));
                    values.CopyTo(decoded);
                    break;
                case UpdateEncoding.Quantized8:
                    WriteQuantized(stream, values, decoded);
                    break;
                case UpdateEncoding.TopKQuantized8:
                    if (!(topKFraction > 0 && topKFraction <= 1))
                    {
                        throw new ArgumentOutOfRangeException(nameof(topKFraction), topKFraction, "top-k fraction must be in (0, 1]");
                    }

                    var indices = TopKSelection.Select(values, Math.Max(1, (int)Math.Ceiling(values.Length * topKFraction)));
                    var kept = new float[indices.Length];
                    for (var i = 0; i < indices.Length; i++)
                    {
                        kept[i] = values[indices[i]];
                    }

                    WriteUInt32(stream, (uint)indices.Length);
                    stream.Write(MemoryMarshal.AsBytes(indices.AsSpan()));
                    var keptDecoded = new float[kept.Length];
                    WriteQuantized(stream, kept, keptDecoded);
                    decoded.Clear();
                    for (var i = 0; i < indices.Length; i++)
                    {
                        decoded[indices[i]] = keptDecoded[i];
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "unknown update encoding");
            }
        }

        return stream.ToArray();
    }

    /// <summary>Decodes a body into the flat delta its header describes.</summary>
    /// <exception cref="InvalidDataException">The body does not match the header (one line says how).</exception>
    public static float[] DecodeBody(UpdateHeader header, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(header);
        var layout = header.Layout();
        var flat = new float[layout.Length];
        var at = 0;
        for (var t = 0; t < layout.Tensors.Count; t++)
        {
            var (name, length) = layout.Tensors[t];
            var values = flat.AsSpan(layout.Offsets[t], length);
            switch (header.Encoding)
            {
                case UpdateEncoding.Float32:
                    Take(body, ref at, length * 4, name).CopyTo(MemoryMarshal.AsBytes(values));
                    break;
                case UpdateEncoding.Quantized8:
                    ReadQuantized(body, ref at, values, name);
                    break;
                case UpdateEncoding.TopKQuantized8:
                    var k = (int)BinaryPrimitives.ReadUInt32LittleEndian(Take(body, ref at, 4, name));
                    if (k < 0 || k > length)
                    {
                        throw new InvalidDataException($"update tensor '{name}': top-k of {k} values in a tensor of {length}");
                    }

                    var indices = MemoryMarshal.Cast<byte, int>(Take(body, ref at, k * 4, name)).ToArray();
                    var kept = new float[k];
                    ReadQuantized(body, ref at, kept, name);
                    var previous = -1;
                    for (var i = 0; i < k; i++)
                    {
                        if (indices[i] <= previous || indices[i] >= length)
                        {
                            throw new InvalidDataException($"update tensor '{name}': top-k index {indices[i]} out of order or outside 0..{length - 1}");
                        }

                        previous = indices[i];
                        values[indices[i]] = kept[i];
                    }

                    break;
                default:
                    throw new InvalidDataException($"update encoding {header.Encoding} is unknown");
            }
        }

        if (at != body.Length)
        {
            throw new InvalidDataException($"update body has {body.Length - at} bytes past its last tensor");
        }

        foreach (var x in flat)
        {
            if (!float.IsFinite(x))
            {
                throw new InvalidDataException("update body holds a value that is not finite");
            }
        }

        return flat;
    }

    /// <summary>The signed part: magic, header and body.</summary>
    public static byte[] WriteSignedPart(UpdateHeader header, ReadOnlySpan<byte> body) =>
        SignedFrame.WriteSignedPart(Magic, UpdateJson.ToBytes(header), body);

    /// <summary>Appends the key id and signature to the signed part.</summary>
    public static byte[] AppendSignature(ReadOnlySpan<byte> signedPart, string keyId, ReadOnlySpan<byte> signature) =>
        SignedFrame.AppendSignature(signedPart, keyId, signature);

    /// <summary>Splits an update into its parts without checking the signature.</summary>
    /// <exception cref="InvalidDataException">It is not an update (one line says why).</exception>
    public static UpdateParts Split(ReadOnlyMemory<byte> bytes)
    {
        var frame = SignedFrame.Split(bytes, Magic, "federated update");
        if (frame.Header.Length > MaxHeaderBytes)
        {
            throw new InvalidDataException($"update header of {frame.Header.Length} bytes is larger than {MaxHeaderBytes}");
        }

        UpdateHeader header;
        try
        {
            header = UpdateJson.Parse(frame.Header.Span) ?? throw new InvalidDataException("empty update header");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"update header is not valid JSON: {ex.Message}", ex);
        }

        if (header.Type != UpdateHeader.DocumentType || header.Tensors is null || header.UpdateId is null || header.Model is null || header.DeviceId is null || header.Tensors.Any(t => t is null || t.Name is null))
        {
            throw new InvalidDataException($"update header of type '{header.Type}' lacks updateId, model, deviceId or tensors");
        }

        return new UpdateParts(header, frame.Body, frame.SignedPart, frame.KeyId, frame.Signature);
    }

    private static void WriteQuantized(Stream stream, ReadOnlySpan<float> values, Span<float> decoded)
    {
        var codes = new sbyte[values.Length];
        var scales = new float[BlockQuantizer.Blocks(values.Length)];
        BlockQuantizer.Quantize(values, codes, scales);
        stream.Write(MemoryMarshal.AsBytes(scales.AsSpan()));
        stream.Write(MemoryMarshal.AsBytes(codes.AsSpan()));
        BlockQuantizer.Dequantize(codes, scales, decoded);
    }

    private static void ReadQuantized(ReadOnlySpan<byte> body, ref int at, Span<float> values, string name)
    {
        var scales = MemoryMarshal.Cast<byte, float>(Take(body, ref at, BlockQuantizer.Blocks(values.Length) * 4, name));
        var codes = MemoryMarshal.Cast<byte, sbyte>(Take(body, ref at, values.Length, name));
        BlockQuantizer.Dequantize(codes, scales, values);
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> body, ref int at, int count, string tensor)
    {
        if (count < 0 || at + count > body.Length)
        {
            throw new InvalidDataException($"update body ends inside tensor '{tensor}'");
        }

        var slice = body.Slice(at, count);
        at += count;
        return slice;
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }
}

/// <summary>An update split into its parts (views into the received bytes).</summary>
/// <param name="Header">The parsed header.</param>
/// <param name="Body">The encoded tensors.</param>
/// <param name="SignedPart">The bytes the signature covers.</param>
/// <param name="KeyId">The signer's key id.</param>
/// <param name="Signature">ECDSA P-256 (IEEE P1363) over <paramref name="SignedPart"/>.</param>
public sealed record UpdateParts(UpdateHeader Header, ReadOnlyMemory<byte> Body, ReadOnlyMemory<byte> SignedPart, string KeyId, ReadOnlyMemory<byte> Signature);
