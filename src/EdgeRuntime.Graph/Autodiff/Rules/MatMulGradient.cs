using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = a·b with numpy semantics (batched, broadcasting batch dimensions; a 1-D operand is a row or column vector):
/// ∂a = Σ_batch ∂y·bᵀ, ∂b = Σ_batch aᵀ·∂y, the transposes over the last two axes. A 1-D operand is promoted as
/// MatMul promotes it ([K] → [1, K] for a, [K, 1] for b, ∂y given the missing axis) and its gradient reshaped back.
/// </summary>
internal sealed class MatMulGradient : GradientRule
{
    public override string OpType => "MatMul";

    public override bool IsDifferentiable(Node node, int index) => index is 0 or 1;

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var (a, b) = (context.Input(0), context.Input(1));
        var (aShape, bShape) = (emit.ShapeOf(a), emit.ShapeOf(b));
        var outShape = emit.ShapeOf(context.Output);
        var gradient = context.Gradient;
        var gradientDims = outShape.Dims.ToList();
        var (a2, b2) = (a, b);
        var (aDims, bDims) = (aShape.Dims.ToList(), bShape.Dims.ToList());
        if (aShape.Rank == 1)
        {
            a2 = emit.Unsqueeze(a, 0);
            aDims.Insert(0, Dim.Known(1));
            gradient = emit.Unsqueeze(gradient, gradientDims.Count - (bShape.Rank == 1 ? 0 : 1));
            gradientDims.Insert(gradientDims.Count - (bShape.Rank == 1 ? 0 : 1), Dim.Known(1));
        }

        if (bShape.Rank == 1)
        {
            b2 = emit.Unsqueeze(b, 1);
            bDims.Add(Dim.Known(1));
            gradient = emit.Unsqueeze(gradient, gradientDims.Count);
            gradientDims.Add(Dim.Known(1));
        }

        var batch = gradientDims.Take(gradientDims.Count - 2).ToList();
        if (context.Wants(0))
        {
            var da = emit.MatMul(gradient, emit.Transpose(b2, SwapLast(bDims.Count)));
            var daShape = new TensorShape([.. batch, aDims[^2], aDims[^1]]);
            context.Set(0, aShape.Rank == 1 ? emit.ReshapeLike(emit.ReduceSum(da, [.. Enumerable.Range(0, daShape.Rank - 1).Select(i => (long)i)], keepDims: false), a) : emit.ReduceTo(da, daShape, a));
        }

        if (context.Wants(1))
        {
            var db = emit.MatMul(emit.Transpose(a2, SwapLast(aDims.Count)), gradient);
            var dbShape = new TensorShape([.. batch, bDims[^2], bDims[^1]]);
            if (bShape.Rank == 1)
            {
                // [..., K, 1]: sum the batch axes, keep K.
                var summed = emit.ReduceSum(db, [.. Enumerable.Range(0, batch.Count).Select(i => (long)i)], keepDims: false);
                context.Set(1, emit.ReshapeLike(summed, b));
            }
            else
            {
                context.Set(1, emit.ReduceTo(db, dbShape, b));
            }
        }
    }

    private static long[] SwapLast(int rank) => [.. Enumerable.Range(0, rank - 2).Select(i => (long)i), rank - 1, rank - 2];
}
