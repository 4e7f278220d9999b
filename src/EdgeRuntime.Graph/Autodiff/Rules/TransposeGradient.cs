namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = transpose(x, p) (p reversed by default): ∂x = transpose(∂y, p⁻¹).</summary>
internal sealed class TransposeGradient : GradientRule
{
    public override string OpType => "Transpose";

    public override void Emit(GradientContext context)
    {
        var rank = context.Rank(context.Input(0));
        var perm = context.Node.GetInts("perm")?.ToArray() ?? [.. Enumerable.Range(0, rank).Reverse().Select(i => (long)i)];
        context.Set(0, context.Emit.Transpose(context.Gradient, GradientEmitter.Inverse(perm)));
    }
}
