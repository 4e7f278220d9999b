using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Signing;

/// <summary>
/// How signed documents travel (docs/protocol.md): the document's exact JSON bytes in base64, the id of the
/// key that signed them, and the signature over those bytes. Signing the bytes as sent, rather than a
/// re-serialisation, means any client in any language verifies without canonicalising JSON.
/// </summary>
public sealed record SignedEnvelope(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("signature")] string Signature)
{
    /// <summary>The only format this version writes and reads.</summary>
    public const string CurrentFormat = "edge-signed/1";

    /// <summary>The largest envelope accepted, in bytes (manifests of very large models stay far below).</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>Signs <paramref name="document"/>'s bytes with <paramref name="key"/>.</summary>
    public static SignedEnvelope Sign(ReadOnlySpan<byte> document, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new SignedEnvelope(CurrentFormat, key.Id, Convert.ToBase64String(document), Convert.ToBase64String(key.Sign(document)));
    }

    /// <summary>The envelope as UTF-8 JSON.</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, SignedEnvelopeJsonContext.Default.SignedEnvelope);

    /// <summary>
    /// Checks <paramref name="bytes"/> is an envelope signed by a trusted key and returns the signed document.
    /// </summary>
    /// <returns>The document's bytes and key id, or the reason it is refused (one phrase, for a status line).</returns>
    public static SignatureCheck Open(ReadOnlySpan<byte> bytes, TrustedKeys trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        if (bytes.Length > MaxBytes)
        {
            return SignatureCheck.Refused($"signed document is {bytes.Length} bytes, more than the {MaxBytes} allowed");
        }

        SignedEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(bytes, SignedEnvelopeJsonContext.Default.SignedEnvelope);
        }
        catch (JsonException ex)
        {
            return SignatureCheck.Refused($"not a signed document: {ex.Message}");
        }

        if (envelope is null || envelope.Format is null || envelope.KeyId is null || envelope.Payload is null || envelope.Signature is null)
        {
            return SignatureCheck.Refused("not a signed document: format, keyId, payload and signature are required");
        }

        if (envelope.Format != CurrentFormat)
        {
            return SignatureCheck.Refused($"unsupported signed-document format '{envelope.Format}' (this device reads {CurrentFormat})");
        }

        byte[] payload, signature;
        try
        {
            payload = Convert.FromBase64String(envelope.Payload);
            signature = Convert.FromBase64String(envelope.Signature);
        }
        catch (FormatException)
        {
            return SignatureCheck.Refused("payload or signature is not base64");
        }

        var (verdict, problem) = trusted.Verify(envelope.KeyId, payload, signature);
        return verdict == SignatureVerdict.Accepted
            ? SignatureCheck.Accepted(envelope.KeyId, payload)
            : SignatureCheck.Refused(problem!, verdict);
    }
}

/// <summary>The outcome of opening a signed envelope.</summary>
/// <param name="KeyId">The signer, when accepted.</param>
/// <param name="Document">The signed bytes, when accepted.</param>
/// <param name="Problem">Why it was refused, when refused.</param>
/// <param name="Verdict">What the check found, as a value the planner maps to a refusal code.</param>
public sealed record SignatureCheck(string? KeyId, ReadOnlyMemory<byte> Document, string? Problem, SignatureVerdict Verdict = SignatureVerdict.Accepted)
{
    /// <summary>Whether the signature is valid and the key trusted.</summary>
    public bool IsAccepted => Problem is null;

    internal static SignatureCheck Accepted(string keyId, byte[] document) => new(keyId, document, null);

    internal static SignatureCheck Refused(string problem, SignatureVerdict verdict = SignatureVerdict.Malformed) => new(null, ReadOnlyMemory<byte>.Empty, problem, verdict);
}

[JsonSerializable(typeof(SignedEnvelope))]
internal sealed partial class SignedEnvelopeJsonContext : JsonSerializerContext;
