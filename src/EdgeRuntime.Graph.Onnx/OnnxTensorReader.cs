using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Import;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>Reads serialized TensorProto files (recorded samples, the ONNX backend suite's input_N.pb / output_N.pb).</summary>
public static class OnnxTensorReader
{
    /// <summary>A tensor and the name stored with it (may be empty).</summary>
    public sealed record NamedTensor(string Name, Tensor Tensor);

    /// <summary>Reads one tensor from <paramref name="path"/>.</summary>
    /// <exception cref="OnnxFormatException">The file is not a tensor within the default limits.</exception>
    public static NamedTensor Read(string path)
    {
        var source = Path.GetFileName(path);
        TensorProto proto;
        try
        {
            proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxFormatException($"{source}: not a readable tensor ({ex.Message})", ex);
        }

        var importer = new TensorImporter(source, Path.GetDirectoryName(Path.GetFullPath(path)), OnnxReadOptions.Default);
        return new NamedTensor(proto.Name, importer.Import(proto, $"tensor '{proto.Name}'"));
    }
}
