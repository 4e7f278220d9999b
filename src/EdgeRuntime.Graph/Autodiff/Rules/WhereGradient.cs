using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = c ? a : b (opset 9+): ∂a = Σ_broadcast (c ? ∂y : 0), ∂b = Σ_broadcast (c ? 0 : ∂y); the condition has none.</summary>
internal sealed class WhereGradient : GradientRule
{
    public override string OpType => "Where";

    public override bool IsDifferentiable(Node node, int index) => index is 1 or 2;

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var resultShape = emit.ShapeOf(context.Output);
        var zero = emit.Scalar(0, context.ElementType);
        var condition = context.Input(0);
        if (context.Wants(1))
        {
            context.Set(1, emit.ReduceTo(emit.Op("Where", [condition, context.Gradient, zero]), resultShape, context.Input(1)));
        }

        if (context.Wants(2))
        {
            context.Set(2, emit.ReduceTo(emit.Op("Where", [condition, zero, context.Gradient]), resultShape, context.Input(2)));
        }
    }
}
