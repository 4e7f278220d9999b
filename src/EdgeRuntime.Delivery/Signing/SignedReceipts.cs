using EdgeRuntime.Core.Outbox;

namespace EdgeRuntime.Delivery.Signing;

/// <summary>
/// Receipts for outbox entries travel as a <see cref="ReceiptDocument"/> in a signed envelope (the fleet key that signs
/// manifests), so a client that can publish on a device's receipt topic still cannot make it forget an update.
/// </summary>
public static class SignedReceipts
{
    /// <summary>The signed envelope of <paramref name="document"/>.</summary>
    public static byte[] Sign(ReceiptDocument document, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(document);
        return SignedEnvelope.Sign(document.ToBytes(), key).ToBytes();
    }

    /// <summary>The receipts in <paramref name="bytes"/>, or null and why not (unsigned, untrusted key, not receipts).</summary>
    public static IReadOnlyList<ReceiptEntry>? Open(ReadOnlySpan<byte> bytes, TrustedKeys trusted, out string? problem)
    {
        var check = SignedEnvelope.Open(bytes, trusted);
        if (!check.IsAccepted)
        {
            problem = check.Problem;
            return null;
        }

        return ReceiptDocument.TryParse(check.Document.Span, out problem)?.Receipts;
    }
}
