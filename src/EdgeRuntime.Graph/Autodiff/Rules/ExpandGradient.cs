namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = expand(x, shape) (opset 8+): ∂x = Σ_broadcast ∂y; the shape input has none.</summary>
internal sealed class ExpandGradient : GradientRule
{
    public override string OpType => "Expand";

    public override void Emit(GradientContext context) =>
        context.Set(0, context.Emit.ReduceTo(context.Gradient, context.Emit.ShapeOf(context.Output), context.Input(0)));
}
