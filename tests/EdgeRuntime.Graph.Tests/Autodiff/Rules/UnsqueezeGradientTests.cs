namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Unsqueeze with axes as an attribute (opset 11) and as an input (opset 13); float64, tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).</summary>
public sealed class UnsqueezeGradientTests
{
    [Fact]
    public void Emit_AttributeAxes_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(11, (m, x) => m.Op("Unsqueeze", [x], TestModel.Ints("axes", 0, 3)));

    [Fact]
    public void Emit_InputAxes_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(13, (m, x) => m.Op("Unsqueeze", [x, m.Ints("axes", [1], 1)]));
}
