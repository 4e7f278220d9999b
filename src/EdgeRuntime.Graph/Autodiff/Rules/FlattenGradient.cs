namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>Flatten keeps the elements in row-major order: ∂x = reshape(∂y, shape(x)).</summary>
internal sealed class FlattenGradient : ShapeOnlyGradient
{
    public override string OpType => "Flatten";
}
