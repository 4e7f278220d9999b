using System.Buffers.Binary;
using System.Text;

namespace EdgeRuntime.Federated.Updates;

/// <summary>
/// The framing shared by updates and partial sums, little-endian:
/// <c>magic (4) | u32 H | header JSON | u32 B | body | u8 K | key id | u8 S | signature</c>; the signature (ECDSA
/// P-256, IEEE P1363) covers everything before the key id.
/// </summary>
public static class SignedFrame
{
    /// <summary>The largest header accepted.</summary>
    public const int MaxHeaderBytes = 4 * 1024 * 1024;

    /// <summary>The largest body accepted (256 MiB).</summary>
    public const int MaxBodyBytes = 256 * 1024 * 1024;

    /// <summary>The signed part: magic, header and body.</summary>
    public static byte[] WriteSignedPart(ReadOnlySpan<byte> magic, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var bytes = new byte[4 + 4 + header.Length + 4 + body.Length];
        magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)header.Length);
        header.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8 + header.Length), (uint)body.Length);
        body.CopyTo(bytes.AsSpan(12 + header.Length));
        return bytes;
    }

    /// <summary>Appends the key id and signature to the signed part.</summary>
    public static byte[] AppendSignature(ReadOnlySpan<byte> signedPart, string keyId, ReadOnlySpan<byte> signature)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        if (id.Length > 255 || signature.Length > 255)
        {
            throw new ArgumentException("key id and signature must be at most 255 bytes each");
        }

        var bytes = new byte[signedPart.Length + 1 + id.Length + 1 + signature.Length];
        signedPart.CopyTo(bytes);
        var at = signedPart.Length;
        bytes[at++] = (byte)id.Length;
        id.CopyTo(bytes.AsSpan(at));
        at += id.Length;
        bytes[at++] = (byte)signature.Length;
        signature.CopyTo(bytes.AsSpan(at));
        return bytes;
    }

    /// <summary>Splits a frame; <paramref name="what"/> names it in errors ("federated update").</summary>
    /// <exception cref="InvalidDataException">It is not such a frame (one line says why).</exception>
    public static Frame Split(ReadOnlyMemory<byte> bytes, ReadOnlySpan<byte> magic, string what)
    {
        var span = bytes.Span;
        if (span.Length < 12 || !span[..4].SequenceEqual(magic))
        {
            throw new InvalidDataException($"not a {what} (no {Encoding.ASCII.GetString(magic)} magic)");
        }

        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        if (headerLength > MaxHeaderBytes || 8 + headerLength + 4 > span.Length)
        {
            throw new InvalidDataException($"{what} header of {headerLength} bytes does not fit");
        }

        var bodyAt = 8 + (int)headerLength;
        var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(span[bodyAt..]);
        if (bodyLength > MaxBodyBytes || bodyAt + 4 + bodyLength > span.Length)
        {
            throw new InvalidDataException($"{what} body of {bodyLength} bytes does not fit");
        }

        var signedEnd = bodyAt + 4 + (int)bodyLength;
        var at = signedEnd;
        if (at >= span.Length)
        {
            throw new InvalidDataException($"{what} is not signed");
        }

        int keyLength = span[at++];
        if (at + keyLength + 1 > span.Length)
        {
            throw new InvalidDataException($"{what} signature trailer is cut short");
        }

        var keyId = Encoding.ASCII.GetString(span.Slice(at, keyLength));
        at += keyLength;
        int signatureLength = span[at++];
        if (at + signatureLength != span.Length)
        {
            throw new InvalidDataException($"{what} signature trailer has the wrong length");
        }

        return new Frame(bytes.Slice(8, (int)headerLength), bytes.Slice(bodyAt + 4, (int)bodyLength), bytes[..signedEnd], keyId, bytes.Slice(at, signatureLength));
    }

    /// <summary>A frame's parts (views into the bytes).</summary>
    /// <param name="Header">Header JSON.</param>
    /// <param name="Body">Body.</param>
    /// <param name="SignedPart">What the signature covers.</param>
    /// <param name="KeyId">The signer's key id.</param>
    /// <param name="Signature">The signature.</param>
    public sealed record Frame(ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Body, ReadOnlyMemory<byte> SignedPart, string KeyId, ReadOnlyMemory<byte> Signature);
}
