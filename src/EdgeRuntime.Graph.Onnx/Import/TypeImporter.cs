using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Import;

/// <summary>TypeProto to IR types: tensors become <see cref="TensorType"/>, everything else stays opaque bytes.</summary>
internal static class TypeImporter
{
    public static Ir.ValueType? Import(TypeProto? type, Func<string, Exception> fail)
    {
        if (type is null)
        {
            return null;
        }

        switch (type.ValueCase)
        {
            case TypeProto.ValueOneofCase.TensorType:
                var elementType = (DataType)type.TensorType.ElemType;
                if (type.TensorType.ElemType != 0 && !DataTypes.IsDefined(elementType))
                {
                    throw fail($"has unknown element type {type.TensorType.ElemType}");
                }

                return new TensorType(elementType, type.TensorType.Shape is null ? null : ImportShape(type.TensorType.Shape, fail));
            case TypeProto.ValueOneofCase.None:
                return null;
            default:
                return new OpaqueValueType(type.ValueCase.ToString(), type.ToByteArray());
        }
    }

    private static TensorShape ImportShape(TensorShapeProto shape, Func<string, Exception> fail) =>
        new(shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue when d.DimValue >= 0 => Dim.Known(d.DimValue),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => throw fail($"has a negative dimension {d.DimValue}"),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam when d.DimParam.Length > 0 => Dim.Symbolic(d.DimParam),
            _ => Dim.Unknown,
        }));
}
