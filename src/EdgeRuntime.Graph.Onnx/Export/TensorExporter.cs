using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Export;

/// <summary>IR tensors to TensorProto: numeric data as raw little-endian bytes, strings as string_data.</summary>
internal static class TensorExporter
{
    public static TensorProto Export(Tensor tensor, string name)
    {
        var proto = new TensorProto { DataType = (int)tensor.ElementType, Name = name };
        proto.Dims.AddRange(tensor.Dims);
        if (tensor.ElementType == DataType.String)
        {
            proto.StringData.AddRange(tensor.Strings.Select(s => ByteString.CopyFrom(s.Span)));
        }
        else
        {
            proto.RawData = ByteString.CopyFrom(tensor.Data.Span);
        }

        return proto;
    }
}
