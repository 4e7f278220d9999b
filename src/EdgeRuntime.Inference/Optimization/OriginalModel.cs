using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Optimization;

/// <summary>A model file as read once: its bytes and the model read from them (<c>OnnxModelReader.Read(path, out bytes)</c>).</summary>
/// <param name="Bytes">The file's bytes, unchanged.</param>
/// <param name="Model">The model read from <paramref name="Bytes"/>; whoever it is handed to may change it.</param>
public sealed record OriginalModel(byte[] Bytes, Model Model);
