namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = mean over axes of x: ∂x = broadcast(∂y) / n, n the number of elements averaged. Axes are an input from opset 18.</summary>
internal sealed class ReduceMeanGradient : ReductionGradient
{
    public override string OpType => "ReduceMean";

    protected override bool Averages => true;
}
