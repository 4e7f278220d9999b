using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EdgeRuntime.Core.IO;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// The best parameters of a run so far, written atomically (temporary file, fsync, rename) after each epoch that
/// improved, so an interrupted run loses at most one epoch. Format: "EDGECKPT" v1, epoch, validation loss, then per
/// parameter its name and float32 values (little-endian), then the SHA-256 of everything before it, which a reader
/// checks. The optimiser's moments are not kept: a resumed run restarts them.
/// </summary>
/// <param name="Epoch">The epoch (0-based) that produced these parameters.</param>
/// <param name="ValidationLoss">Its validation loss.</param>
/// <param name="Parameters">Parameter name → values.</param>
public sealed record TrainingCheckpoint(int Epoch, double ValidationLoss, IReadOnlyDictionary<string, float[]> Parameters)
{
    private static readonly byte[] Magic = "EDGECKPT"u8.ToArray();

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically.</summary>
    public void Write(string path)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(1);
            writer.Write(Epoch);
            writer.Write(ValidationLoss);
            writer.Write(Parameters.Count);
            foreach (var (name, values) in Parameters)
            {
                writer.Write(name);
                writer.Write(values.Length);
                foreach (var v in values)
                {
                    writer.Write(v);
                }
            }
        }

        var body = buffer.ToArray();
        var file = new byte[body.Length + 32];
        body.CopyTo(file, 0);
        SHA256.HashData(body).CopyTo(file, body.Length);
        AtomicFile.WriteAllBytes(path, file);
    }

    /// <summary>Reads a checkpoint written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a whole, undamaged checkpoint (one line says why).</exception>
    public static TrainingCheckpoint Read(string path)
    {
        var file = File.ReadAllBytes(path);
        if (file.Length < Magic.Length + 32 || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not a training checkpoint");
        }

        var body = file.AsSpan(0, file.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(file.AsSpan(file.Length - 32)))
        {
            throw new InvalidDataException($"{path}: checkpoint is damaged (checksum mismatch)");
        }

        using var reader = new BinaryReader(new MemoryStream(file, 0, body.Length), Encoding.UTF8);
        reader.ReadBytes(Magic.Length);
        var version = reader.ReadInt32();
        if (version != 1)
        {
            throw new InvalidDataException($"{path}: checkpoint format {version} is not supported");
        }

        var epoch = reader.ReadInt32();
        var loss = reader.ReadDouble();
        var count = reader.ReadInt32();
        var parameters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var p = 0; p < count; p++)
        {
            var name = reader.ReadString();
            var values = new float[reader.ReadInt32()];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(reader.ReadBytes(4));
            }

            parameters[name] = values;
        }

        return new TrainingCheckpoint(epoch, loss, parameters);
    }
}
