namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y[n, c] = mean over the spatial axes of x[n, c]: ∂x = broadcast(∂y) / (number of spatial positions).</summary>
internal sealed class GlobalAveragePoolGradient : GradientRule
{
    public override string OpType => "GlobalAveragePool";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var type = context.ElementType;
        var shape = emit.ShapeOf(x);
        var spatial = shape.Dims.Skip(2).ToList();
        var count = spatial.All(d => d.IsKnown)
            ? emit.Scalar(spatial.Aggregate(1L, (product, d) => product * d.Value!.Value), type)
            : emit.Div(emit.Cast(emit.Size(x), type), emit.Cast(emit.Size(context.Output), type));
        context.Set(0, emit.Div(emit.BroadcastLike(context.Gradient, x), count));
    }
}
