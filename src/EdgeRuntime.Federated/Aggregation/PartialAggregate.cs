using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRuntime.Federated.Updates;

namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// What a member aggregator sends the lead (docs/protocol.md, <c>fl-partial</c>): its folded share since the last
/// partial — the mean rule's fixed-point sums per base version, or, for the robust rules, each update's delta — with the
/// ids of every update in it (the lead refuses a partial that holds an update it already has, naming the duplicates, and
/// the member sends the rest again), and the outcomes of updates the member expired or rejected, so the lead's
/// accounting covers the whole fleet. Framed and signed like an update (magic <c>EFP1</c>), by the aggregators' key.
/// </summary>
public sealed record PartialAggregate(PartialHeader Header, PartialSums? Sums, IReadOnlyList<BufferedDelta> Vectors)
{
    /// <summary>The first four bytes.</summary>
    public static ReadOnlySpan<byte> Magic => "EFP1"u8;

    /// <summary>The signed part (sign it and append with <see cref="SignedFrame.AppendSignature"/>).</summary>
    public byte[] ToSignedPart()
    {
        using var body = new MemoryStream();
        if (Sums is not null)
        {
            foreach (var group in Header.Groups)
            {
                body.Write(MemoryMarshal.AsBytes(Sums.Groups[group.BaseVersion].Sum.AsSpan()));
            }
        }

        foreach (var vector in Vectors)
        {
            body.Write(MemoryMarshal.AsBytes(vector.Delta.AsSpan()));
        }

        return SignedFrame.WriteSignedPart(Magic, JsonSerializer.SerializeToUtf8Bytes(Header, PartialJsonContext.Default.PartialHeader), body.ToArray());
    }

    /// <summary>Reads a partial's header and contents (the signature is the caller's to check on the frame).</summary>
    /// <exception cref="InvalidDataException">It is not a valid partial (one line says why).</exception>
    public static PartialAggregate Read(SignedFrame.Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        PartialHeader header;
        try
        {
            header = JsonSerializer.Deserialize(frame.Header.Span, PartialJsonContext.Default.PartialHeader) ?? throw new InvalidDataException("empty partial header");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"partial header is not valid JSON: {ex.Message}", ex);
        }

        if (header.Type != PartialHeader.DocumentType || header.PartialId is null || header.Model is null || header.From is null || header.Groups is null || header.Updates is null || header.Outcomes is null || header.Length < 1)
        {
            throw new InvalidDataException("partial header lacks partialId, model, from, groups, updates, outcomes or length");
        }

        var body = frame.Body.Span;
        var at = 0;
        PartialSums? sums = null;
        if (!header.Vectors)
        {
            sums = new PartialSums(header.Length);
            foreach (var group in header.Groups)
            {
                var bytes = header.Length * 16;
                if (at + bytes > body.Length || group.Count < 0 || group.Weight < 0)
                {
                    throw new InvalidDataException($"partial {header.PartialId}: group of base version {group.BaseVersion} does not fit the body");
                }

                sums.AddGroup(group.BaseVersion, MemoryMarshal.Cast<byte, Int128>(body.Slice(at, bytes)), group.Weight, group.Count);
                at += bytes;
            }

            if (sums.Count != header.Updates.Count)
            {
                throw new InvalidDataException($"partial {header.PartialId}: groups count {sums.Count} updates, the list names {header.Updates.Count}");
            }
        }

        var vectors = new List<BufferedDelta>();
        if (header.Vectors)
        {
            foreach (var update in header.Updates)
            {
                var bytes = header.Length * 4;
                if (at + bytes > body.Length)
                {
                    throw new InvalidDataException($"partial {header.PartialId}: the vector of update {update.Id} does not fit the body");
                }

                vectors.Add(new BufferedDelta(update.Id, update.BaseVersion, update.Samples, MemoryMarshal.Cast<byte, float>(body.Slice(at, bytes)).ToArray()));
                at += bytes;
            }
        }

        if (at != body.Length)
        {
            throw new InvalidDataException($"partial {header.PartialId}: {body.Length - at} bytes past its contents");
        }

        return new PartialAggregate(header, sums, vectors);
    }
}

/// <summary>The header of a <see cref="PartialAggregate"/>.</summary>
public sealed record PartialHeader
{
    /// <summary>The document type.</summary>
    public const string DocumentType = "fl-partial";

    /// <summary>Always <see cref="DocumentType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = DocumentType;

    /// <summary>Derived from the update ids it holds, so rebuilding the same share after a crash gives the same id.</summary>
    [JsonPropertyName("partialId")]
    public required string PartialId { get; init; }

    /// <summary>The model.</summary>
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    /// <summary>The member aggregator's id.</summary>
    [JsonPropertyName("from")]
    public required string From { get; init; }

    /// <summary>Values per vector (the layout's length).</summary>
    [JsonPropertyName("length")]
    public required int Length { get; init; }

    /// <summary>The sums' groups in body order (empty when <see cref="Vectors"/>).</summary>
    [JsonPropertyName("groups")]
    public required IReadOnlyList<PartialGroup> Groups { get; init; }

    /// <summary>Whether the body holds one float32 delta per update (robust rules) instead of sums.</summary>
    [JsonPropertyName("vectors")]
    public bool Vectors { get; init; }

    /// <summary>Every update folded in (in body order when <see cref="Vectors"/>).</summary>
    [JsonPropertyName("updates")]
    public required IReadOnlyList<PartialUpdate> Updates { get; init; }

    /// <summary>Updates the member expired or rejected.</summary>
    [JsonPropertyName("outcomes")]
    public required IReadOnlyList<PartialOutcome> Outcomes { get; init; }
}

/// <summary>One group of sums.</summary>
public sealed record PartialGroup([property: JsonPropertyName("baseVersion")] long BaseVersion, [property: JsonPropertyName("weight")] long Weight, [property: JsonPropertyName("count")] int Count);

/// <summary>An update in a partial.</summary>
public sealed record PartialUpdate(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("baseVersion")] long BaseVersion,
    [property: JsonPropertyName("samples")] long Samples);

/// <summary>An update a member expired or rejected.</summary>
public sealed record PartialOutcome(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("baseVersion")] long BaseVersion,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("reason")] string? Reason);

[JsonSerializable(typeof(PartialHeader))]
internal sealed partial class PartialJsonContext : JsonSerializerContext;
