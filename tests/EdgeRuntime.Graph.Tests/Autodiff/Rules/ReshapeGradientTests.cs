namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Reshape (with 0 and −1 in the target) against float64 finite differences; tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).</summary>
public sealed class ReshapeGradientTests
{
    [Fact]
    public void Emit_CopiedAndInferredDimensions_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(17, (m, x) => m.Op("Reshape", [x, m.Ints("target", [0, -1], 2)]));
}
