using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Export;

/// <summary>IR types to TypeProto.</summary>
internal static class TypeExporter
{
    public static TypeProto? Export(Ir.ValueType? type)
    {
        switch (type)
        {
            case TensorType tensor:
                var tensorType = new TypeProto.Types.Tensor { ElemType = (int)tensor.ElementType };
                if (tensor.Shape is { } shape)
                {
                    var shapeProto = new TensorShapeProto();
                    foreach (var dim in shape.Dims)
                    {
                        var dimension = new TensorShapeProto.Types.Dimension();
                        if (dim.Value is { } value)
                        {
                            dimension.DimValue = value;
                        }
                        else if (dim.Symbol is { } symbol)
                        {
                            dimension.DimParam = symbol;
                        }

                        shapeProto.Dim.Add(dimension);
                    }

                    tensorType.Shape = shapeProto;
                }

                return new TypeProto { TensorType = tensorType };
            case OpaqueValueType opaque:
                return TypeProto.Parser.ParseFrom(opaque.Encoded.Span);
            default:
                return null;
        }
    }
}
