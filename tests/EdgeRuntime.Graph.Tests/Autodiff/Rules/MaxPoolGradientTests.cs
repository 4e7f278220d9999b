using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// MaxPool's gradient: non-overlapping windows, overlapping windows with padding (pads must never receive
/// gradient), dilations, auto_pad. The rule is written with Conv/ConvTranspose, which ONNX Runtime runs in float32
/// only, so the float32 analytic gradient is compared with finite differences of the C# float64 reference; tolerance
/// 1e-4 of the largest gradient (float32 rounding is near 1e-7 relative; a misrouted gradient is off by O(1)).
/// Random inputs have no ties, so the maxima are unique and the derivative exists.
/// </summary>
public sealed class MaxPoolGradientTests
{
    [Theory]
    [InlineData(2, 2, 0, 1, 12)]
    [InlineData(3, 2, 1, 1, 12)]
    [InlineData(3, 1, 1, 1, 12)]
    [InlineData(2, 1, 0, 2, 12)]
    public void Emit_WindowsStridesPadsDilations_MatchesFiniteDifferences(long kernel, long stride, long pad, long dilation, long opset)
    {
        var model = new TestModel(opset, DataType.Float);
        // Mostly negative inputs: a padded border window's maximum is then often below the zero padding, which must not take it.
        var x = model.Param("x", [2, 3, 7, 6], -1, 0.2);
        model.Output(model.Op("MaxPool", [x], TestModel.Ints("kernel_shape", kernel, kernel), TestModel.Ints("strides", stride, stride), TestModel.Ints("pads", pad, pad, pad, pad), TestModel.Ints("dilations", dilation, dilation)));

        GradientCheck.Run(model, new() { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5 });
    }

    [Fact]
    public void Emit_SameUpperOpset7_MatchesFiniteDifferences()
    {
        var model = new TestModel(7, DataType.Float);
        var x = model.Param("x", [1, 2, 6, 5]);
        model.Output(model.Op("MaxPool", [x], TestModel.Ints("kernel_shape", 3, 3), TestModel.Ints("strides", 2, 2), TestModel.Text("auto_pad", "SAME_UPPER")));

        GradientCheck.Run(model, new() { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5 });
    }
}
