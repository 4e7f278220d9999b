using System.Runtime.CompilerServices;
using EdgeRuntime.Graph.Onnx.Protobuf;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>
/// A parse handed from the reader to the structural check of the same bytes: <c>OnnxModelReader.Read(path, out bytes)</c>
/// gives its caller the file's bytes and keeps the message it parsed them into beside them, and the first
/// <see cref="OnnxModelChecker.Check(byte[], out Ir.Model?)"/> of that array takes it instead of parsing the file again.
/// Keyed by the array itself and held weakly (an array nobody holds takes its message with it); taking removes it, so a
/// parse lives no longer than until the check it was kept for. Model bytes are never changed in place in this library,
/// and the reader leaves the message as parsed. Thread-safe.
/// </summary>
internal static class ParseHandOff
{
    private static readonly ConditionalWeakTable<byte[], ModelProto> Kept = [];

    /// <summary>Keeps <paramref name="proto"/>, the parse of <paramref name="bytes"/> under the reader's default limits.</summary>
    public static void Keep(byte[] bytes, ModelProto proto) => Kept.AddOrUpdate(bytes, proto);

    /// <summary>The parse kept for <paramref name="bytes"/>, removed from the keeping; null when none is kept.</summary>
    public static ModelProto? Take(byte[] bytes) => Kept.TryGetValue(bytes, out var proto) && Kept.Remove(bytes) ? proto : null;
}
