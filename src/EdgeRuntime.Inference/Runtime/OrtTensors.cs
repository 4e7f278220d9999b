using EdgeRuntime.Graph.Ir;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = EdgeRuntime.Graph.Ir.Tensor;

namespace EdgeRuntime.Inference.Runtime;

/// <summary>Copies between IR tensors and ONNX Runtime values. The caller owns (disposes) every OrtValue.</summary>
public static class OrtTensors
{
    /// <summary>A new ONNX Runtime tensor holding a copy of <paramref name="tensor"/>.</summary>
    public static OrtValue ToOrtValue(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.Dims.ToArray();
        if (tensor.ElementType == DataType.String)
        {
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            for (var i = 0; i < tensor.Strings.Length; i++)
            {
                strings.StringTensorSetElementAt(tensor.Strings[i].Span, i);
            }

            return strings;
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (TensorElementType)(int)tensor.ElementType, shape);
        tensor.Data.Span.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    /// <summary>A copy of an ONNX Runtime tensor as an IR tensor.</summary>
    /// <exception cref="NotSupportedException">The value is a sequence, map or optional.</exception>
    public static Tensor FromOrtValue(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsTensor)
        {
            throw new NotSupportedException($"ONNX Runtime returned a {value.OnnxType}, not a tensor");
        }

        var info = value.GetTensorTypeAndShape();
        var type = (DataType)(int)info.ElementDataType;
        if (type == DataType.String)
        {
            var strings = value.GetStringTensorAsArray();
            return Tensor.FromStrings(info.Shape, strings.Select(s => (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(s)));
        }

        return Tensor.FromBytes(type, info.Shape, value.GetTensorMutableRawData().ToArray());
    }
}
