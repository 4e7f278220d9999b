using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>MatMul (numpy semantics, batch dimensions broadcast) and Gemm.</summary>
internal static class LinearAlgebraRules
{
    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        rules["MatMul"] = c => [new TensorType(c.ElementType(0), MatMul(c.Shape(0), c.Shape(1)))];
        rules["MatMulInteger"] = c => [new TensorType(DataType.Int32, MatMul(c.Shape(0), c.Shape(1)))];
        rules["Gemm"] = c =>
        {
            var a = c.Shape(0);
            var b = c.Shape(1);
            if (a is not { Rank: 2 } || b is not { Rank: 2 })
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var m = c.Int("transA", 0) != 0 ? a.Dims[1] : a.Dims[0];
            var n = c.Int("transB", 0) != 0 ? b.Dims[0] : b.Dims[1];
            return [new TensorType(c.ElementType(0), new TensorShape([m, n]))];
        };
    }

    /// <summary>The shape of a numpy matrix product.</summary>
    public static TensorShape? MatMul(TensorShape? a, TensorShape? b)
    {
        if (a is null || b is null || a.Rank == 0 || b.Rank == 0)
        {
            return null;
        }

        var left = a.Rank == 1 ? new TensorShape([Dim.Known(1), a.Dims[0]]) : a;
        var right = b.Rank == 1 ? new TensorShape([b.Dims[0], Dim.Known(1)]) : b;
        var batch = Dims.Broadcast([new TensorShape(left.Dims.Take(left.Rank - 2)), new TensorShape(right.Dims.Take(right.Rank - 2))])!;
        var dims = batch.Dims.ToList();
        if (a.Rank > 1)
        {
            dims.Add(left.Dims[^2]);
        }

        if (b.Rank > 1)
        {
            dims.Add(right.Dims[^1]);
        }

        return new TensorShape(dims);
    }
}
