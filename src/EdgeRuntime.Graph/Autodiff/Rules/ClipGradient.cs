using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = min(max(x, lo), hi): ∂x = ∂y·[lo ≤ x ≤ hi] (the bounds pass the gradient, as in PyTorch). The bounds are
/// attributes before opset 11 and optional inputs after; they get no gradient.
/// </summary>
internal sealed class ClipGradient : GradientRule
{
    public override string OpType => "Clip";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var type = context.ElementType;
        var x = context.Input(0);
        Value? low;
        Value? high;
        if (emit.Opset >= 11)
        {
            (low, high) = (context.Node.Input(1), context.Node.Input(2));
        }
        else
        {
            low = context.Node.Attribute("min") is { } min ? emit.Scalar(min.Float, type) : null;
            high = context.Node.Attribute("max") is { } max ? emit.Scalar(max.Float, type) : null;
        }

        Value? inside = null;
        if (low is not null)
        {
            inside = emit.Not(emit.Less(x, low));
        }

        if (high is not null)
        {
            var below = emit.Not(emit.Greater(x, high));
            inside = inside is null ? below : emit.And(inside, below);
        }

        context.Set(0, inside is null ? context.Gradient : emit.Mul(context.Gradient, emit.Mask(inside, type)));
    }
}
