namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = Σ over axes of x: ∂x = broadcast(∂y). Axes are an input from opset 13.</summary>
internal sealed class ReduceSumGradient : ReductionGradient
{
    public override string OpType => "ReduceSum";

    protected override bool Averages => false;
}
