namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>Reshape keeps the elements in row-major order: ∂x = reshape(∂y, shape(x)).</summary>
internal sealed class ReshapeGradient : ShapeOnlyGradient
{
    public override string OpType => "Reshape";
}
