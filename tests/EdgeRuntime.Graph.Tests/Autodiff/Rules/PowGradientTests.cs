namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Pow (aᵇ (a in [0.5, 1.5], real exponent)): both operands' gradients, reduced over broadcast axes, against float64 finite differences (tolerance 1e-7 of the largest gradient; FD error ≈ 1e-10 at h = 1e-6).</summary>
public sealed class PowGradientTests
{
    [Theory]
    [MemberData(nameof(ArithmeticGradientTestData.Shapes), MemberType = typeof(ArithmeticGradientTestData))]
    public void Emit_Broadcasting_MatchesFiniteDifferences(long[] aShape, long[] bShape)
    {
        var model = new TestModel();
        model.Output(model.Op("Pow", [model.Param("a", aShape, 0.5, 1.5), model.Param("b", bShape, 0.5, 1.5)]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
