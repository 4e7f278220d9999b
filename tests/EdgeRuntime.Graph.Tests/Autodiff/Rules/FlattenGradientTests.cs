namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Flatten at axis 2 against float64 finite differences; tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).</summary>
public sealed class FlattenGradientTests
{
    [Fact]
    public void Emit_Axis_MatchesFiniteDifferences() => ShapeRuleCheck.Run(17, (m, x) => m.Op("Flatten", [x], TestModel.Int("axis", 2)));
}
