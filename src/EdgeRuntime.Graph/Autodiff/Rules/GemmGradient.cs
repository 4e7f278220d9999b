using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = α·A′·B′ + β·C with A′ = transA ? Aᵀ : A, B′ = transB ? Bᵀ : B. From ∂A′ = α·∂y·B′ᵀ and ∂B′ = α·A′ᵀ·∂y:
/// ∂A = α·∂y·B′ᵀ (transA=0) or α·B′·∂yᵀ (transA=1); ∂B = α·A′ᵀ·∂y (transB=0) or α·∂yᵀ·A′ (transB=1) — each one Gemm
/// with the transpose flags folded in; ∂C = β·Σ_broadcast ∂y (C broadcasts to [M, N]).
/// </summary>
internal sealed class GemmGradient : GradientRule
{
    public override string OpType => "Gemm";

    public override bool IsDifferentiable(Node node, int index) => index is 0 or 1 or 2;

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var node = context.Node;
        var (transA, transB) = (node.GetInt("transA", 0) != 0, node.GetInt("transB", 0) != 0);
        double alpha = node.GetFloat("alpha", 1f);
        double beta = node.GetFloat("beta", 1f);
        var (a, b, dy) = (context.Input(0), context.Input(1), context.Gradient);
        if (context.Wants(0))
        {
            context.Set(0, transA
                ? Gemm(context, b, dy, transB, true, alpha)
                : Gemm(context, dy, b, false, !transB, alpha));
        }

        if (context.Wants(1))
        {
            context.Set(1, transB
                ? Gemm(context, dy, a, true, transA, alpha)
                : Gemm(context, a, dy, !transA, false, alpha));
        }

        if (context.Wants(2))
        {
            var scaled = beta == 1 ? dy : emit.Mul(dy, emit.Scalar(beta, context.ElementType));
            context.Set(2, emit.ReduceTo(scaled, emit.ShapeOf(context.Output), context.Input(2)));
        }
    }

    private static Value Gemm(GradientContext context, Value left, Value right, bool transLeft, bool transRight, double alpha)
    {
        var emit = context.Emit;

        // C is required before opset 11; a zero scalar broadcasts.
        Value?[] inputs = emit.Opset >= 11 ? [left, right] : [left, right, emit.Scalar(0, context.ElementType)];
        return emit.Op(
            "Gemm",
            inputs,
            Ir.Attribute.FromFloat("alpha", (float)alpha),
            Ir.Attribute.FromInt("transA", transLeft ? 1 : 0),
            Ir.Attribute.FromInt("transB", transRight ? 1 : 0));
    }
}
