using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// y = concat(x₀, x₁, …; axis): ∂xᵢ = ∂y[…, oᵢ : oᵢ + nᵢ, …] along the axis, oᵢ = Σⱼ₍ⱼ₍ᵢ₎ nⱼ. Static offsets when the
/// sizes are known; otherwise they are computed from the inputs' shapes (Slice with inputs, opset 10+).
/// </summary>
internal sealed class ConcatGradient : GradientRule
{
    public override string OpType => "Concat";

    public override bool IsDifferentiable(Node node, int index) => true;

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var inputs = context.Node.Inputs.Select((_, i) => context.Input(i)).ToList();
        var rank = context.Rank(context.Output);
        var axis = GradientEmitter.Normalise([context.Node.GetInt("axis", 0)], rank)[0];
        var sizes = inputs.Select(x => emit.ShapeOf(x).Dims[(int)axis].Value).ToList();
        if (sizes.All(s => s is not null))
        {
            long offset = 0;
            for (var i = 0; i < inputs.Count; i++)
            {
                var size = sizes[i]!.Value;
                if (context.Wants(i))
                {
                    context.Set(i, emit.Slice(context.Gradient, [offset], [offset + size], [axis]));
                }

                offset += size;
            }

            return;
        }

        emit.Require(10, "Slice with computed bounds (for Concat's gradient along a free dimension)");
        Value start = emit.Int64s(0);
        for (var i = 0; i < inputs.Count; i++)
        {
            var end = emit.Add(start, emit.DimsOf(inputs[i], (int)axis, (int)axis + 1));
            if (context.Wants(i))
            {
                context.Set(i, emit.Op("Slice", [context.Gradient, start, end, emit.Int64s(axis)]));
            }

            start = end;
        }
    }
}
