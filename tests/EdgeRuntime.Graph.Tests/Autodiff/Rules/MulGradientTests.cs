namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Mul (a·b): both operands' gradients, reduced over broadcast axes, against float64 finite differences (tolerance 1e-7 of the largest gradient; FD error ≈ 1e-10 at h = 1e-6).</summary>
public sealed class MulGradientTests
{
    [Theory]
    [MemberData(nameof(ArithmeticGradientTestData.Shapes), MemberType = typeof(ArithmeticGradientTestData))]
    public void Emit_Broadcasting_MatchesFiniteDifferences(long[] aShape, long[] bShape)
    {
        var model = new TestModel();
        model.Output(model.Op("Mul", [model.Param("a", aShape, -1, 1), model.Param("b", bShape, -1, 1)]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
