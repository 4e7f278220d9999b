using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using Microsoft.Win32.SafeHandles;

namespace EdgeRuntime.Delivery.Transfer;

/// <summary>
/// A model file being assembled on disk from verified chunks, so that a restart of the daemon or the broker
/// resumes where it stopped. The folder holds <c>model.part</c> (the file at its final length, chunks written in
/// place) and <c>chunks.log</c> (the index of every chunk written, 4 bytes each). On open, every logged chunk
/// is read back and checked against its signed hash again, so a torn write or a power cut costs a re-fetch of
/// that chunk, never a corrupt model. Thread-safe.
/// </summary>
public sealed class PartialDownload : IDisposable
{
    /// <summary>The partial file's name.</summary>
    public const string PartFileName = "model.part";

    private const string LogFileName = "chunks.log";
    private const int FlushEveryChunks = 16;

    private readonly Lock _gate = new();
    private readonly ModelManifest _manifest;
    private readonly SafeFileHandle _part;
    private readonly FileStream _log;
    private readonly bool[] _have;
    private int _haveCount;
    private int _unflushed;
    private bool _disposed;

    private PartialDownload(string folder, ModelManifest manifest, SafeFileHandle part, FileStream log, bool[] have, int resumed)
    {
        Folder = folder;
        _manifest = manifest;
        _part = part;
        _log = log;
        _have = have;
        _haveCount = resumed;
        Resumed = resumed;
    }

    /// <summary>The download's folder.</summary>
    public string Folder { get; }

    /// <summary>The partial file; complete and verified once <see cref="Complete"/> returned.</summary>
    public string PartPath => Path.Combine(Folder, PartFileName);

    /// <summary>Verified chunks found on disk when it was opened.</summary>
    public int Resumed { get; }

    /// <summary>Chunks verified and written so far.</summary>
    public int VerifiedCount
    {
        get
        {
            lock (_gate)
            {
                return _haveCount;
            }
        }
    }

    /// <summary>Chunks in the file.</summary>
    public int ChunkCount => _have.Length;

    /// <summary>Whether every chunk is in.</summary>
    public bool IsComplete => VerifiedCount == ChunkCount;

    /// <summary>The chunks still missing, in order.</summary>
    public IReadOnlyList<int> Missing()
    {
        lock (_gate)
        {
            return [.. Enumerable.Range(0, _have.Length).Where(i => !_have[i])];
        }
    }

    /// <summary>Whether chunk <paramref name="index"/> is in.</summary>
    public bool Has(int index)
    {
        lock (_gate)
        {
            return _have[index];
        }
    }

    /// <summary>The folder a download of <paramref name="manifest"/> lives in under <paramref name="downloadsRoot"/>.</summary>
    public static string FolderFor(string downloadsRoot, ModelManifest manifest) =>
        Path.Combine(downloadsRoot, $"{manifest.Name}-{manifest.Version}-{manifest.Sha256[..12]}");

    /// <summary>Opens the download of <paramref name="manifest"/> in <paramref name="folder"/>, creating it or resuming what is there.</summary>
    public static PartialDownload Open(string folder, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Directory.CreateDirectory(folder);
        var partPath = Path.Combine(folder, PartFileName);
        var part = File.OpenHandle(partPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        FileStream? log = null;
        try
        {
            if (RandomAccess.GetLength(part) != manifest.Length)
            {
                RandomAccess.SetLength(part, manifest.Length);
            }

            var have = new bool[manifest.Chunks.Count];
            var resumed = 0;
            var logPath = Path.Combine(folder, LogFileName);
            var logged = File.Exists(logPath) ? File.ReadAllBytes(logPath) : [];
            var buffer = ArrayPool<byte>.Shared.Rent(manifest.ChunkSize);
            try
            {
                for (var at = 0; at + 4 <= logged.Length; at += 4)
                {
                    var index = BinaryPrimitives.ReadInt32LittleEndian(logged.AsSpan(at));
                    if (index < 0 || index >= have.Length || have[index])
                    {
                        continue;
                    }

                    var length = manifest.ChunkLength(index);
                    var read = RandomAccess.Read(part, buffer.AsSpan(0, length), manifest.ChunkOffset(index));
                    if (read == length && HashMatches(buffer.AsSpan(0, length), manifest.Chunks[index]))
                    {
                        have[index] = true;
                        resumed++;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            // Rewrite the log with what was confirmed, so entries for chunks that did not survive are gone.
            log = new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.Read);
            Span<byte> entry = stackalloc byte[4];
            for (var i = 0; i < have.Length; i++)
            {
                if (have[i])
                {
                    BinaryPrimitives.WriteInt32LittleEndian(entry, i);
                    log.Write(entry);
                }
            }

            log.Flush(flushToDisk: true);
            return new PartialDownload(folder, manifest, part, log, have, resumed);
        }
        catch
        {
            log?.Dispose();
            part.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks chunk <paramref name="index"/> against the manifest and writes it in place.
    /// </summary>
    /// <returns>False when the chunk was already in (a duplicate delivery).</returns>
    /// <exception cref="TransferException">The chunk has the wrong length or hash.</exception>
    public bool Accept(int index, ReadOnlySpan<byte> data)
    {
        if ((uint)index >= (uint)_have.Length)
        {
            throw new TransferException($"chunk {index} of {_manifest} does not exist (the manifest lists {_have.Length})");
        }

        var expected = _manifest.ChunkLength(index);
        if (data.Length != expected)
        {
            throw new TransferException($"chunk {index} of {_manifest} is {data.Length} bytes; the manifest says {expected} (truncated or padded)");
        }

        if (!HashMatches(data, _manifest.Chunks[index]))
        {
            throw new TransferException($"chunk {index} of {_manifest} has sha256 {Convert.ToHexStringLower(SHA256.HashData(data))[..16]}…; the manifest says {_manifest.Chunks[index][..16]}…");
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_have[index])
            {
                return false;
            }

            RandomAccess.Write(_part, data, _manifest.ChunkOffset(index));
            Span<byte> entry = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(entry, index);
            _log.Write(entry);
            _log.Flush();
            _have[index] = true;
            _haveCount++;
            if (++_unflushed >= FlushEveryChunks)
            {
                FlushLocked();
            }

            return true;
        }
    }

    /// <summary>
    /// Flushes, then checks the whole file: exact length and the signed sha256.
    /// </summary>
    /// <exception cref="TransferException">Chunks are missing, or the whole-file digest differs.</exception>
    public void Complete()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_haveCount != _have.Length)
            {
                throw new TransferException($"{_manifest} is missing {_have.Length - _haveCount} of {_have.Length} chunks");
            }

            FlushLocked();
            var length = RandomAccess.GetLength(_part);
            if (length != _manifest.Length)
            {
                throw new TransferException($"{_manifest} assembled to {length} bytes; the manifest says {_manifest.Length}");
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                for (long offset = 0; offset < length;)
                {
                    var read = RandomAccess.Read(_part, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), offset);
                    if (read == 0)
                    {
                        throw new TransferException($"{_manifest}: the partial file ended at byte {offset} of {length}");
                    }

                    hash.AppendData(buffer, 0, read);
                    offset += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            var digest = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (digest != _manifest.Sha256)
            {
                throw new TransferException($"{_manifest} has sha256 {digest[..16]}… after assembly; the manifest says {_manifest.Sha256[..16]}…");
            }
        }
    }

    /// <summary>Closes the files (the download stays on disk for a later resume).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                FlushLocked();
            }
            catch (IOException)
            {
                // A full or failing disk: what was not flushed is re-verified (and re-fetched) on the next open.
            }

            _log.Dispose();
            _part.Dispose();
        }
    }

    /// <summary>Deletes a download folder (after install or when its version is refused).</summary>
    public static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void FlushLocked()
    {
        RandomAccess.FlushToDisk(_part);
        _log.Flush(flushToDisk: true);
        _unflushed = 0;
    }

    private static bool HashMatches(ReadOnlySpan<byte> data, string expectedHex)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        Span<byte> expected = stackalloc byte[32];
        return Convert.FromHexString(expectedHex, expected, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32
            && CryptographicOperations.FixedTimeEquals(digest, expected);
    }
}
