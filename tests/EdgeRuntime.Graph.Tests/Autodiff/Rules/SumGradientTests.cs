namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Variadic Sum with broadcasting (opset 8+) against float64 finite differences (tolerance 1e-7; FD error ≈ 1e-10). The same parameter read twice gets both contributions.</summary>
public sealed class SumGradientTests
{
    [Fact]
    public void Emit_ThreeOperandsOneRepeated_MatchesFiniteDifferences()
    {
        var model = new TestModel();
        var a = model.Param("a", [2, 3]);
        var b = model.Param("b", [3]);
        model.Output(model.Op("Sum", [a, b, a, model.Param("c", [2, 1])]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
