using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Federated.Privacy;

namespace EdgeRuntime.Federated.Device;

/// <summary>
/// What a device keeps between updates of one model: the error-feedback residual (what compression has not sent yet)
/// and the privacy accounting of the noisy releases so far. Written atomically after every update
/// (<see cref="Save"/>), so a restart neither resends the residual twice nor forgets spent privacy. Immutable.
/// </summary>
/// <param name="Residual">The residual in the update layout; null before the first update or after a layout change.</param>
/// <param name="Privacy">Noisy releases accounted.</param>
/// <param name="Updates">Updates made so far.</param>
public sealed record DeviceUpdateState(float[]? Residual, RdpAccountant Privacy, long Updates)
{
    private const uint Magic = 0x31535546; // "FUS1"

    /// <summary>A device that has sent nothing.</summary>
    public static DeviceUpdateState Empty { get; } = new(null, RdpAccountant.Empty, 0);

    /// <summary>Reads the state at <paramref name="path"/>; <see cref="Empty"/> when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is damaged (one line names it).</exception>
    public static DeviceUpdateState Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }

        var bytes = File.ReadAllBytes(path);
        try
        {
            var span = bytes.AsSpan();
            if (BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
            {
                throw new InvalidDataException("not an update-state file");
            }

            var updates = BinaryPrimitives.ReadInt64LittleEndian(span[4..]);
            var releases = BinaryPrimitives.ReadInt64LittleEndian(span[12..]);
            var orders = BinaryPrimitives.ReadInt32LittleEndian(span[20..]);
            var rdp = MemoryMarshal.Cast<byte, double>(span.Slice(24, orders * 8)).ToArray();
            var at = 24 + (orders * 8);
            var residualLength = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            at += 4;
            var residual = residualLength < 0 ? null : MemoryMarshal.Cast<byte, float>(span.Slice(at, residualLength * 4)).ToArray();
            at += Math.Max(0, residualLength) * 4;
            if (at != bytes.Length)
            {
                throw new InvalidDataException($"{bytes.Length - at} bytes past the end");
            }

            return new DeviceUpdateState(residual, RdpAccountant.Restore(rdp, releases), updates);
        }
        catch (Exception ex) when (ex is ArgumentException or ArgumentOutOfRangeException or InvalidDataException)
        {
            throw new InvalidDataException($"update state '{path}' is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the state atomically and durably.</summary>
    public void Save(string path)
    {
        var orders = Privacy.Rdp.Count;
        var residualLength = Residual?.Length ?? -1;
        var bytes = new byte[24 + (orders * 8) + 4 + (Math.Max(0, residualLength) * 4)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], Updates);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], Privacy.Releases);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], orders);
        MemoryMarshal.AsBytes(Privacy.Rdp.ToArray().AsSpan()).CopyTo(span[24..]);
        var at = 24 + (orders * 8);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], residualLength);
        if (Residual is not null)
        {
            MemoryMarshal.AsBytes(Residual.AsSpan()).CopyTo(span[(at + 4)..]);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
