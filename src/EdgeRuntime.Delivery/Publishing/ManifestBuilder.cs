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
    /// <exception cref="ArgumentException">A field is not allowed (the message says which).</exception>
    public static ModelManifest Build(string path, string name, long version, int chunkSize, DateTimeOffset createdAt, DateTimeOffset expiresAt, string? url = null)
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
        };
        return ModelManifestJson.Check(manifest) is { } problem ? throw new ArgumentException(problem) : manifest;
    }
}
