namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = ln x: ∂x = ∂y / x.</summary>
internal sealed class LogGradient : GradientRule
{
    public override string OpType => "Log";

    public override void Emit(GradientContext context) => context.Set(0, context.Emit.Div(context.Gradient, context.Input(0)));
}
