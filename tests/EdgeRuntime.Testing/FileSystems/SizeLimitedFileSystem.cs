using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Testing.FileSystems;

/// <summary>
/// A real file system of a fixed size (tmpfs with <c>size=</c>), mounted on a fresh folder for one test, so that a
/// write past the size fails with ENOSPC exactly as on a full device. Mounting needs root (CI runs as root); elsewhere
/// the test is skipped with the reason (failed under CI). Dispose unmounts it and removes the folder.
/// </summary>
public sealed class SizeLimitedFileSystem : IAsyncDisposable
{
    private SizeLimitedFileSystem(string path, long sizeBytes)
    {
        Path = path;
        SizeBytes = sizeBytes;
    }

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>The file system's size in bytes (rounded up to whole pages by the kernel).</summary>
    public long SizeBytes { get; }

    /// <summary>Bytes still free, as the kernel reports them.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Mounts a tmpfs of <paramref name="sizeBytes"/> on a new temporary folder; skips the test (fails it under CI) when that is not possible.</summary>
    public static async Task<SizeLimitedFileSystem> MountAsync(long sizeBytes)
    {
        var (disk, problem) = await TryMountAsync(sizeBytes);
        if (disk is null)
        {
            TestEnvironment.SkipOrFail(problem!);
        }

        return disk!;
    }

    /// <summary>Mounts a tmpfs of <paramref name="sizeBytes"/>, or says why it cannot (not root, no mount).</summary>
    public static async Task<(SizeLimitedFileSystem? Disk, string? Problem)> TryMountAsync(long sizeBytes)
    {
        var mount = ExternalTool.Find("mount");
        if (mount is null)
        {
            return (null, "'mount' is not installed: a size-limited file system cannot be made");
        }

        var folder = Directory.CreateTempSubdirectory("edge-small-fs-").FullName;
        await using var process = ChildProcess.Start(mount, ["-t", "tmpfs", "-o", $"size={sizeBytes},mode=0777", "edge-test", folder]);
        if (await process.WaitForExitAsync() != 0)
        {
            Directory.Delete(folder);
            return (null, $"cannot mount a {sizeBytes}-byte tmpfs (needs root): {process.DescribeOutput().ReplaceLineEndings(" ")}");
        }

        return (new SizeLimitedFileSystem(folder, sizeBytes), null);
    }

    /// <summary>Takes <paramref name="bytes"/> of the free space with a filler file; delete the returned path to give it back.</summary>
    public string Fill(long bytes)
    {
        var filler = System.IO.Path.Combine(Path, $"filler-{Guid.NewGuid():N}");
        using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write);
        var block = new byte[64 * 1024];
        for (long written = 0; written < bytes;)
        {
            var count = (int)Math.Min(block.Length, bytes - written);
            stream.Write(block, 0, count);
            written += count;
        }

        return filler;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        var umount = ExternalTool.Find("umount");
        if (umount is not null)
        {
            // Lazy: a daemon child that still holds a file open must not keep the mount (and the test) alive.
            await using var process = ChildProcess.Start(umount, ["-l", Path]);
            await process.WaitForExitAsync();
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
