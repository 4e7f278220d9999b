using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes;

/// <summary>Arithmetic on dimensions that may be unknown or symbolic.</summary>
public static class Dims
{
    /// <summary>The broadcast of two dimensions (numpy rules); unknown when it cannot be told.</summary>
    public static Dim Broadcast(Dim a, Dim b)
    {
        if (a == b)
        {
            return a;
        }

        if (a.Value == 1)
        {
            return b;
        }

        if (b.Value == 1)
        {
            return a;
        }

        if (a.IsKnown && !b.IsKnown)
        {
            return a;
        }

        if (b.IsKnown && !a.IsKnown)
        {
            return b;
        }

        return Dim.Unknown;
    }

    /// <summary>The broadcast of several shapes; null when a rank is unknown.</summary>
    public static TensorShape? Broadcast(IEnumerable<TensorShape?> shapes)
    {
        var list = shapes.ToList();
        if (list.Any(s => s is null))
        {
            return null;
        }

        var rank = list.Max(s => s!.Rank);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            result[i] = Dim.Known(1);
        }

        foreach (var shape in list)
        {
            var offset = rank - shape!.Rank;
            for (var i = 0; i < shape.Rank; i++)
            {
                result[offset + i] = Broadcast(result[offset + i], shape.Dims[i]);
            }
        }

        return new TensorShape(result);
    }

    /// <summary>A product of dimensions, when all are known.</summary>
    public static Dim Product(IEnumerable<Dim> dims)
    {
        long product = 1;
        foreach (var dim in dims)
        {
            if (dim.Value is not { } value)
            {
                return Dim.Unknown;
            }

            product *= value;
        }

        return Dim.Known(product);
    }

    /// <summary>An axis made non-negative for a rank.</summary>
    public static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    /// <summary>A dimension computed from a known one, unknown otherwise.</summary>
    public static Dim Map(Dim dim, Func<long, long> compute) => dim.Value is { } value ? Dim.Known(Math.Max(0, compute(value))) : Dim.Unknown;
}
