namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Expand to more and larger axes (the gradient is summed back); float64, tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).</summary>
public sealed class ExpandGradientTests
{
    [Fact]
    public void Emit_Broadcast_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(13, (m, x) => m.Op("Expand", [x, m.Ints("shape", [2, 2, 3, 4], 4)]), [2, 1, 4]);
}
