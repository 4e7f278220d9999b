using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Delivery.Manifests;

/// <summary>Reads and writes manifest documents, checking every field a device relies on.</summary>
public static class ModelManifestJson
{
    /// <summary>The smallest chunk size accepted (smaller would mean one MQTT message per few packets).</summary>
    public const int MinChunkSize = 4 << 10;

    /// <summary>The largest chunk size accepted (a device holds a few chunks in memory at once).</summary>
    public const int MaxChunkSize = 64 << 20;

    /// <summary>The manifest as UTF-8 JSON, the bytes that get signed.</summary>
    public static byte[] ToBytes(ModelManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJsonContext.Default.ModelManifest);

    /// <summary>Parses and checks a manifest.</summary>
    /// <returns>The manifest, or null with the reason in <paramref name="problem"/>.</returns>
    public static ModelManifest? Parse(ReadOnlySpan<byte> json, out string? problem)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ModelManifest);
        }
        catch (JsonException ex)
        {
            problem = $"not a model manifest: {ex.Message}";
            return null;
        }

        problem = manifest is null ? "not a model manifest: empty document" : Check(manifest);
        return problem is null ? manifest : null;
    }

    /// <summary>Why <paramref name="manifest"/> is not usable, or null when it is.</summary>
    public static string? Check(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Type != ModelManifest.DocumentType)
        {
            return $"document type is '{manifest.Type}', not '{ModelManifest.DocumentType}'";
        }

        if (!ModelName.IsValid(manifest.Name))
        {
            return $"model name '{manifest.Name}' is not allowed: {ModelName.AllowedDescription}";
        }

        if (manifest.Version < 1)
        {
            return $"version {manifest.Version} is not allowed: versions start at 1";
        }

        if (manifest.Length < 1)
        {
            return $"length {manifest.Length} is not allowed: a model has at least one byte";
        }

        if (manifest.ChunkSize is < MinChunkSize or > MaxChunkSize)
        {
            return $"chunk size {manifest.ChunkSize} is outside {MinChunkSize}..{MaxChunkSize} bytes";
        }

        if (manifest.Chunks is null || manifest.Chunks.Count != ModelManifest.ChunkCount(manifest.Length, manifest.ChunkSize))
        {
            return $"{manifest.Chunks?.Count ?? 0} chunk hashes for {manifest.Length} bytes in chunks of {manifest.ChunkSize}; expected {ModelManifest.ChunkCount(manifest.Length, manifest.ChunkSize)}";
        }

        if (!IsSha256(manifest.Sha256))
        {
            return "sha256 is not 64 lower-case hex digits";
        }

        for (var i = 0; i < manifest.Chunks.Count; i++)
        {
            if (!IsSha256(manifest.Chunks[i]))
            {
                return $"chunk {i}'s sha256 is not 64 lower-case hex digits";
            }
        }

        if (manifest.ExpiresAt <= manifest.CreatedAt)
        {
            return "expiresAt is not after createdAt";
        }

        if (manifest.Targets?.Check() is { } targets)
        {
            return targets;
        }

        if (manifest.Url is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" or "file"))
        {
            return $"url '{url}' is not an absolute https://, http:// or file:// URL";
        }

        return null;
    }

    private static bool IsSha256(string? hex) =>
        hex is { Length: 64 } && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}

[JsonSerializable(typeof(ModelManifest))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
