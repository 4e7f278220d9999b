using System.Runtime.InteropServices;

namespace EdgeRuntime.Core.IO;

/// <summary>
/// Writes files so that readers and crashes see either the old content or the new, never a mix: the bytes go
/// to a temporary file in the same directory, are flushed to disk, the file is renamed over the target, and
/// the directory is flushed so the rename itself survives a power loss.
/// </summary>
public static partial class AtomicFile
{
    // O_RDONLY opens a directory for fsync; O_DIRECTORY would add nothing and its value differs between x64 and arm64.
    private const int ReadOnly = 0;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically and durably.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes) => WriteAllBytes(path, bytes, mode: null);

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically and durably; the file is created with
    /// <paramref name="mode"/> (less the process's umask) on Unix, so it never exists with wider permissions.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, UnixFileMode? mode)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory", nameof(path));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = unixMode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            FlushDirectory(directory);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Flushes a directory's entries to disk (a rename is durable only once its directory is).</summary>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"cannot flush directory '{directory}' (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
