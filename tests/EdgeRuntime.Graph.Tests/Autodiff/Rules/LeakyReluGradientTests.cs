namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>LeakyRelu with the default and a set α, inputs clear of 0; float64 finite differences, tolerance 1e-7 (see <see cref="UnaryCheck"/>).</summary>
public sealed class LeakyReluGradientTests
{
    [Fact]
    public void Emit_DefaultAlpha_MatchesFiniteDifferences() => UnaryCheck.Run("LeakyRelu", [], awayFromZero: true);

    [Fact]
    public void Emit_Alpha_MatchesFiniteDifferences() => UnaryCheck.Run("LeakyRelu", [TestModel.Float("alpha", 0.3f)], awayFromZero: true);
}
