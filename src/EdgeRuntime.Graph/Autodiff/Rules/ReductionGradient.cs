namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// Shared by ReduceSum and ReduceMean: ∂y is given back its reduced axes (when keepdims=0) and broadcast to x's shape;
/// the mean also divides by the number of elements each output averages. Axes come from the attribute or, from the
/// opset that made them an input (13 for ReduceSum, 18 for ReduceMean), from a constant input; none means every axis unless noop_with_empty_axes.
/// </summary>
internal abstract class ReductionGradient : GradientRule
{
    /// <summary>Whether the gradient is divided by the reduced element count.</summary>
    protected abstract bool Averages { get; }

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var rank = context.Rank(x);
        var given = context.Ints(1, "axes");
        if ((given is null || given.Length == 0) && context.Node.GetInt("noop_with_empty_axes", 0) != 0)
        {
            context.Set(0, context.Gradient);
            return;
        }

        var axes = given is { Length: > 0 } ? GradientEmitter.Normalise(given, rank) : [.. Enumerable.Range(0, rank).Select(i => (long)i)];
        var gradient = context.Node.GetInt("keepdims", 1) == 0 ? emit.Unsqueeze(context.Gradient, axes) : context.Gradient;
        var spread = emit.BroadcastLike(gradient, x);
        if (!Averages)
        {
            context.Set(0, spread);
            return;
        }

        var shape = emit.ShapeOf(x);
        var type = context.ElementType;
        var count = axes.All(a => shape.Dims[(int)a].IsKnown)
            ? emit.Scalar(axes.Aggregate(1L, (product, a) => product * shape.Dims[(int)a].Value!.Value), type)
            : emit.Div(emit.Cast(emit.Size(x), type), emit.Cast(emit.Size(context.Output), type));
        context.Set(0, emit.Div(spread, count));
    }
}
