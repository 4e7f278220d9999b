using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// (y₀, y₁, …) = split(x; axis): ∂x = concat(∂y₀, ∂y₁, …) along the axis, with zeros for outputs no gradient reaches
/// (0·yᵢ, the same shape; the outputs of a split of finite values are finite). The split sizes have no gradient.
/// </summary>
internal sealed class SplitGradient : GradientRule
{
    public override string OpType => "Split";

    public override void Emit(GradientContext context)
    {
        var emit = context.Emit;
        var rank = context.Rank(context.Input(0));
        var axis = GradientEmitter.Normalise([context.Node.GetInt("axis", 0)], rank)[0];
        var pieces = new List<Value>();
        for (var i = 0; i < context.Node.Outputs.Count; i++)
        {
            var output = context.Node.Outputs[i] ?? throw context.Fail($"output {i} is omitted; its size is needed for the gradient");
            pieces.Add(context.OutputGradient(i) ?? emit.Mul(output, emit.Scalar(0, context.ElementType)));
        }

        context.Set(0, pieces.Count == 1 ? pieces[0] : emit.Concat(pieces, axis));
    }
}
