namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = cast(x) between floating-point types: ∂x = cast(∂y) back to x's type. (To integers no gradient flows.)</summary>
internal sealed class CastGradient : GradientRule
{
    public override string OpType => "Cast";

    public override void Emit(GradientContext context)
    {
        var from = context.Emit.TypeOf(context.Input(0));
        context.Set(0, from == context.ElementType ? context.Gradient : context.Emit.Cast(context.Gradient, from));
    }
}
