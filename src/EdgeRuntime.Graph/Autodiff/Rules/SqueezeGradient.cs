namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>Squeeze keeps the elements in row-major order: ∂x = reshape(∂y, shape(x)).</summary>
internal sealed class SqueezeGradient : ShapeOnlyGradient
{
    public override string OpType => "Squeeze";
}
