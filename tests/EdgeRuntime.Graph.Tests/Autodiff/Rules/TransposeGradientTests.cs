namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Transpose with a permutation and with the default (reversed) one; float64, tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).</summary>
public sealed class TransposeGradientTests
{
    [Fact]
    public void Emit_Permutation_MatchesFiniteDifferences() => ShapeRuleCheck.Run(17, (m, x) => m.Op("Transpose", [x], TestModel.Ints("perm", 1, 2, 0)));

    [Fact]
    public void Emit_DefaultReversal_MatchesFiniteDifferences() => ShapeRuleCheck.Run(17, (m, x) => m.Op("Transpose", [x]));
}
