namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>Unsqueeze keeps the elements in row-major order: ∂x = reshape(∂y, shape(x)).</summary>
internal sealed class UnsqueezeGradient : ShapeOnlyGradient
{
    public override string OpType => "Unsqueeze";
}
