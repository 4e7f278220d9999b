using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>GlobalAveragePool (float32 in ONNX Runtime) against finite differences of the C# float64 reference; tolerance 1e-4 (float32 rounding near 1e-7).</summary>
public sealed class GlobalAveragePoolGradientTests
{
    [Fact]
    public void Emit_Float32_MatchesFiniteDifferences()
    {
        var model = new TestModel(11, DataType.Float);
        model.Output(model.Op("GlobalAveragePool", [model.Param("x", [2, 3, 5, 4])]));

        GradientCheck.Run(model, new() { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5 });
    }
}
