using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// AveragePool's gradient with and without padding counted in the divisor. ONNX Runtime runs AveragePool and
/// ConvTranspose in float32 only: float32 analytic gradient against finite differences of the C# float64 reference,
/// tolerance 1e-4 of the largest gradient (float32 rounding is near 1e-7 relative).
/// </summary>
public sealed class AveragePoolGradientTests
{
    [Theory]
    [InlineData(2, 2, 0, 0)]
    [InlineData(3, 2, 1, 0)]
    [InlineData(3, 2, 1, 1)]
    [InlineData(3, 1, 1, 0)]
    public void Emit_WindowsAndPadding_MatchesFiniteDifferences(long kernel, long stride, long pad, long countIncludePad)
    {
        var model = new TestModel(11, DataType.Float);
        var x = model.Param("x", [2, 3, 7, 6]);
        model.Output(model.Op("AveragePool", [x], TestModel.Ints("kernel_shape", kernel, kernel), TestModel.Ints("strides", stride, stride), TestModel.Ints("pads", pad, pad, pad, pad), TestModel.Int("count_include_pad", countIncludePad)));

        GradientCheck.Run(model, new() { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5 });
    }
}
