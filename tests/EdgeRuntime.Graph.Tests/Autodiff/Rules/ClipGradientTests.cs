using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Clip with input bounds (opset 13; either omitted) in float64 (tolerance 1e-7; FD error ≈ 1e-10), and with attribute
/// bounds (opset 9, which ONNX Runtime runs in float32 only) against the C# float64 reference (tolerance 1e-4).
/// </summary>
public sealed class ClipGradientTests
{
    [Fact]
    public void Emit_AttributeBounds_MatchesFiniteDifferences() =>
        UnaryCheck.Run("Clip", [TestModel.Float("min", -0.45f), TestModel.Float("max", 0.55f)], DataType.Float, opset: 9);

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Emit_InputBounds_MatchesFiniteDifferences(bool low, bool high)
    {
        var model = new TestModel(13);
        var min = low ? model.Graph.AddInitializer("min", Tensor.Scalar(-0.45)) : null;
        var max = high ? model.Graph.AddInitializer("max", Tensor.Scalar(0.55)) : null;
        model.Output(model.Op("Clip", [model.Param("x", [3, 4]), min, max]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
