using System.Buffers;
using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Delivery.Publishing;

/// <summary>Describes a model file as a manifest: its length, whole-file and per-chunk sha256.</summary>
public static class ManifestBuilder
{
    /// <summary>The default chunk size, 256 KiB: small enough for any broker's default message limit and a device's memory.</summary>
    public const int DefaultChunkSize = 256 * 1024;

    /// <summary>Reads <paramref name="path"/> once and builds its manifest.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="name">The model's name.</param>
    /// <param name="version">The version, ≥ 1.</param>
    /// <param name="chunkSize">Bytes per chunk.</param>
    /// <param name="createdAt">The signing time.</param>
    /// <param name="expiresAt">When devices stop accepting it.</param>
    /// <param name="url">Where the bytes are when not on the broker; null: chunks on MQTT.</param>
    /// <param name="targets">The devices it is for; null: every device that follows the model (what a plain publish means).</param>
    /// <exception cref="ArgumentException">A field is not allowed (the message says which).</exception>
    public static ModelManifest Build(string path, string name, long version, int chunkSize, DateTimeOffset createdAt, DateTimeOffset expiresAt, string? url = null, ManifestTargets? targets = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var length = file.Length;
        if (length == 0)
        {
            throw new ArgumentException($"'{path}' is empty", nameof(path));
        }

        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunks = new List<string>();
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            while (true)
            {
                var read = file.ReadAtLeast(buffer.AsSpan(0, chunkSize), chunkSize, throwOnEndOfStream: false);
                if (read == 0)
                {
                    break;
                }

                whole.AppendData(buffer, 0, read);
                chunks.Add(Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, read))));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var manifest = new ModelManifest
        {
            Name = name,
            Version = version,
            Length = length,
            Sha256 = Convert.ToHexStringLower(whole.GetHashAndReset()),
            ChunkSize = chunkSize,
            Chunks = chunks,
            CreatedAt = createdAt,
            ExpiresAt = expiresAt,
            Url = url,
            Targets = targets ?? ManifestTargets.Everyone,
        };
        return ModelManifestJson.Check(manifest) is { } problem ? throw new ArgumentException(problem) : manifest;
    }
}
