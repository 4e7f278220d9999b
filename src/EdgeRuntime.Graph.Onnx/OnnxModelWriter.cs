using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Export;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>Writes the graph IR as an ONNX file (all tensors inline).</summary>
public static class OnnxModelWriter
{
    /// <summary>The model as ONNX bytes.</summary>
    /// <exception cref="InvalidOperationException">The model exceeds the 2 GiB a single protobuf may hold.</exception>
    public static byte[] ToBytes(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelExporter.Export(model);
        var size = proto.CalculateSize();
        if (size < 0)
        {
            throw new InvalidOperationException("the model is larger than the 2 GiB an inline ONNX file can hold");
        }

        return proto.ToByteArray();
    }

    /// <summary>Writes the model to <paramref name="stream"/>.</summary>
    public static void Write(Model model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = ToBytes(model);
        stream.Write(bytes);
    }
}
