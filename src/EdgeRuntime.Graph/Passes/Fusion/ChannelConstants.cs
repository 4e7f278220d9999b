using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>Helpers for weight arithmetic in fusions: per-channel vectors and float tensors in double precision.</summary>
internal static class ChannelConstants
{
    /// <summary>
    /// The per-channel values of a constant that broadcasts against an output of rank <paramref name="outputRank"/>
    /// along axis <paramref name="channelAxis"/> only (a scalar gives the same value for every channel); null otherwise.
    /// </summary>
    public static double[]? PerChannel(Tensor constant, int outputRank, int channelAxis, long channels)
    {
        if (!DataTypes.IsFloatingPoint(constant.ElementType) || constant.Dims.Length > outputRank)
        {
            return null;
        }

        var padded = Enumerable.Repeat(1L, outputRank - constant.Dims.Length).Concat(constant.Dims).ToArray();
        for (var axis = 0; axis < outputRank; axis++)
        {
            var allowed = axis == channelAxis ? padded[axis] is 1 || padded[axis] == channels : padded[axis] == 1;
            if (!allowed)
            {
                return null;
            }
        }

        var values = constant.ToDoubleArray();
        return values.Length == 1 ? [.. Enumerable.Repeat(values[0], (int)channels)] : values;
    }

    /// <summary>A float tensor of <paramref name="type"/> from double values.</summary>
    public static Tensor FromDoubles(DataType type, double[] values, long[] dims) => type switch
    {
        DataType.Float => Tensor.From<float>([.. values.Select(v => (float)v)], dims),
        DataType.Double => Tensor.From<double>(values, dims),
        DataType.Float16 => Tensor.From<Half>([.. values.Select(v => (Half)v)], dims),
        _ => throw new NotSupportedException($"weights of type {DataTypes.Name(type)} are not refolded"),
    };

    /// <summary>Whether weights of this type can be refolded.</summary>
    public static bool CanRefold(DataType type) => type is DataType.Float or DataType.Double or DataType.Float16;
}
