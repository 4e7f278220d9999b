using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Export;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>Writes tensors as serialized TensorProto files (the layout <see cref="OnnxTensorReader"/> and the ONNX backend suite read).</summary>
public static class OnnxTensorWriter
{
    /// <summary>The tensor as TensorProto bytes, carrying <paramref name="name"/>.</summary>
    public static byte[] ToBytes(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(name);
        return TensorExporter.Export(tensor, name).ToByteArray();
    }
}
