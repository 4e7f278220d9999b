namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Squeeze with axes as an attribute (opset 11) and as an input (opset 13); float64, tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).</summary>
public sealed class SqueezeGradientTests
{
    [Fact]
    public void Emit_AttributeAxes_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(11, (m, x) => m.Op("Squeeze", [x], TestModel.Ints("axes", 1)), [2, 1, 4]);

    [Fact]
    public void Emit_InputAxes_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(13, (m, x) => m.Op("Squeeze", [x, m.Ints("axes", [-2], 1)]), [2, 1, 4]);
}
