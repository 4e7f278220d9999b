using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Outbox;

/// <summary>
/// The receipts a receiver sends back for outbox entries (docs/protocol.md, "Federated learning"): JSON
/// <c>{"type":"outbox-receipts","from":"aggregator-1","receipts":[{"id":"…","outcome":"accepted"}, {"id":"…","outcome":"rejected","reason":"bad signature"}]}</c>.
/// Receivers sign the document (the fleet key's envelope) so a forged receipt cannot make a device forget an entry.
/// </summary>
public sealed record ReceiptDocument
{
    /// <summary>The document type.</summary>
    public const string DocumentType = "outbox-receipts";

    /// <summary>The most receipts in one document.</summary>
    public const int MaxReceipts = 10_000;

    /// <summary>Always <see cref="DocumentType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = DocumentType;

    /// <summary>Who sends the receipts (an aggregator's id).</summary>
    [JsonPropertyName("from")]
    public required string From { get; init; }

    /// <summary>The receipts.</summary>
    [JsonPropertyName("receipts")]
    public required IReadOnlyList<ReceiptEntry> Receipts { get; init; }

    /// <summary>UTF-8 JSON.</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, ReceiptJsonContext.Default.ReceiptDocument);

    /// <summary>The receipts as typed values.</summary>
    public IReadOnlyList<OutboxReceipt> ToReceipts() => [.. Receipts.Select(r => new OutboxReceipt(r.Id, r.Outcome, r.Reason))];

    /// <summary>Parses <paramref name="json"/>; null and the reason when it is not a receipt document.</summary>
    public static ReceiptDocument? TryParse(ReadOnlySpan<byte> json, out string? problem)
    {
        try
        {
            var document = JsonSerializer.Deserialize(json, ReceiptJsonContext.Default.ReceiptDocument);
            problem = document switch
            {
                null => "empty receipt document",
                { Type: not DocumentType } => $"document type '{document.Type}' is not '{DocumentType}'",
                { Receipts: null } or { From: null } => "receipt document without 'from' or 'receipts'",
                { Receipts.Count: > MaxReceipts } => $"{document.Receipts.Count} receipts in one document; at most {MaxReceipts}",
                _ when document.Receipts.Any(r => string.IsNullOrEmpty(r?.Id)) => "a receipt without an id",
                _ => null,
            };
            return problem is null ? document : null;
        }
        catch (JsonException ex)
        {
            problem = $"not a receipt document: {ex.Message}";
            return null;
        }
    }
}

/// <summary>One receipt in a <see cref="ReceiptDocument"/>.</summary>
/// <param name="Id">The outbox entry's id.</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Reason">Why (rejected, expired).</param>
/// <param name="Duplicates">For a refused partial aggregate: the update ids in it that the receiver already had.</param>
public sealed record ReceiptEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("outcome")] OutboxOutcome Outcome,
    [property: JsonPropertyName("reason")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonPropertyName("duplicates")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Duplicates = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ReceiptDocument))]
internal sealed partial class ReceiptJsonContext : JsonSerializerContext;
