namespace EdgeRuntime.Core.Delivery;

/// <summary>The facts of a signed manifest the planner decides on (the chunk hashes stay with the manifest in Delivery).</summary>
/// <param name="Name">The model the manifest names (it must be the topic's).</param>
/// <param name="Version">The version, ≥ 1.</param>
/// <param name="Length">The file's exact length, bytes.</param>
/// <param name="Sha256">The file's sha256, lower-case hex.</param>
/// <param name="ChunkCount">Chunks the file is split into.</param>
/// <param name="ExpiresAt">After this the manifest is refused.</param>
/// <param name="FromUrl">True when the bytes come from the manifest's URL rather than broker chunks.</param>
/// <param name="Targets">The devices the signer meant it for; null for a manifest signed before targets existed (refused as an offer: its signer's intent is unknown).</param>
/// <param name="DocumentSha256">The sha256 of the signed manifest document (what a latest statement names); null when not known.</param>
public sealed record OfferedVersion(
    string Name,
    long Version,
    long Length,
    string Sha256,
    int ChunkCount,
    DateTimeOffset ExpiresAt,
    bool FromUrl = false,
    DeliveryTargets? Targets = null,
    string? DocumentSha256 = null);
