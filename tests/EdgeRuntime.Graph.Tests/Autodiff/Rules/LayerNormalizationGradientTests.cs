namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// LayerNormalization (opset 17) over the last axis and over the last two, with and without the bias; x, γ, β all
/// trained. Float64 finite differences, tolerance 1e-7 of the largest gradient (FD error ≈ 1e-10 at h = 1e-6).
/// </summary>
public sealed class LayerNormalizationGradientTests
{
    [Theory]
    [InlineData(-1, true)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    public void Emit_AxisAndBias_MatchesFiniteDifferences(long axis, bool bias)
    {
        var model = new TestModel(17);
        var x = model.Param("x", [2, 3, 4], -2, 2);
        long[] normalised = axis == 1 ? [3, 4] : [4];
        var gamma = model.Param("gamma", normalised, 0.5, 1.5);
        var beta = bias ? model.Param("beta", normalised) : null;
        model.Output(model.Op("LayerNormalization", [x, gamma, beta], TestModel.Int("axis", axis), TestModel.Float("epsilon", 1e-3f)));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
