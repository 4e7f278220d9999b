using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Cast from float32 to float64: the gradient is cast back. The parameter is float32, so the C# float64 evaluator
/// (Cast is exact upward) is the reference; tolerance 1e-4 of the largest gradient (the analytic path is float32 only
/// at the last cast, so errors are near 1e-8).
/// </summary>
public sealed class CastGradientTests
{
    [Fact]
    public void Emit_FloatToDouble_MatchesFiniteDifferences()
    {
        var model = new TestModel(17, DataType.Float);
        var wide = model.Op("Cast", [model.Param("x", [3, 4])], TestModel.Int("to", (long)DataType.Double));
        model.Output(model.Op("Mul", [wide, wide]));

        GradientCheck.Run(model, new() { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5 });
    }
}
