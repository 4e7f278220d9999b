using System.Text.Json.Serialization;

namespace EdgeRuntime.Delivery.Manifests;

/// <summary>
/// What the fleet signs about one model version: its exact bytes (length, sha256, and the sha256 of every chunk),
/// the devices it is for, and how long the offer stands. Chunk i holds bytes [i × ChunkSize, min(Length, (i + 1) × ChunkSize)).
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The document type; a signed command can never pass for a manifest.</summary>
    public const string DocumentType = "model-manifest";

    /// <summary>Always <see cref="DocumentType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = DocumentType;

    /// <summary>The model's name (a topic level and a store folder).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The version, ≥ 1; devices accept only versions newer than what they installed.</summary>
    [JsonPropertyName("version")]
    public required long Version { get; init; }

    /// <summary>The file's exact length in bytes.</summary>
    [JsonPropertyName("length")]
    public required long Length { get; init; }

    /// <summary>The whole file's sha256, lower-case hex.</summary>
    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    /// <summary>Bytes per chunk (the last chunk may be shorter).</summary>
    [JsonPropertyName("chunkSize")]
    public required int ChunkSize { get; init; }

    /// <summary>The sha256 of each chunk, lower-case hex, in order.</summary>
    [JsonPropertyName("chunks")]
    public required IReadOnlyList<string> Chunks { get; init; }

    /// <summary>When the fleet signed it.</summary>
    [JsonPropertyName("createdAt")]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>After this moment devices refuse it (a captured manifest cannot be replayed forever).</summary>
    [JsonPropertyName("expiresAt")]
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Where the bytes are when not on the broker: an https:// (or, where allowed, http://) or file:// URL. Null: chunks on MQTT.</summary>
    [JsonPropertyName("url")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }

    /// <summary>
    /// The devices the signer meant the version for: all that follow the model, or a device list and/or tags (a staged
    /// version). Null only in manifests signed before targets existed; devices do not install those as new versions.
    /// </summary>
    [JsonPropertyName("targets")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ManifestTargets? Targets { get; init; }

    /// <summary>The number of chunks a file of <paramref name="length"/> bytes has at <paramref name="chunkSize"/>.</summary>
    public static int ChunkCount(long length, int chunkSize) => (int)((length + chunkSize - 1) / chunkSize);

    /// <summary>Where chunk <paramref name="index"/> starts in the file.</summary>
    public long ChunkOffset(int index) => (long)index * ChunkSize;

    /// <summary>The exact length of chunk <paramref name="index"/>.</summary>
    public int ChunkLength(int index) => (int)Math.Min(ChunkSize, Length - ChunkOffset(index));

    /// <summary>The facts the planner decides on.</summary>
    /// <param name="documentSha256">The sha256 of the signed document bytes this manifest was parsed from (what a latest statement names).</param>
    public Core.Delivery.OfferedVersion ToOffer(string? documentSha256 = null) =>
        new(Name, Version, Length, Sha256, Chunks.Count, ExpiresAt, Url is not null, Targets?.ToTargets(), documentSha256);

    /// <summary>A short label for logs and status: <c>name v3</c>.</summary>
    public override string ToString() => $"{Name} v{Version}";
}
