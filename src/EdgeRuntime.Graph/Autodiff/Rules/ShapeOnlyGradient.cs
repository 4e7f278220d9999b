namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>Operators that only relabel dimensions (row-major order kept): ∂x = reshape(∂y, shape(x)).</summary>
internal abstract class ShapeOnlyGradient : GradientRule
{
    public override void Emit(GradientContext context) => context.Set(0, context.Emit.ReshapeLike(context.Gradient, context.Input(0)));
}
