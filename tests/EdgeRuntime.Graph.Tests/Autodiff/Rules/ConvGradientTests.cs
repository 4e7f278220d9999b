using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Conv's gradient (x, W, B). ONNX Runtime runs Conv and ConvTranspose in float32 only, so the analytic gradient is
/// float32 and the finite differences are of the float64 reference evaluator. Tolerance 1e-4 of the largest
/// gradient: float32 sums of a few hundred products carry relative errors near 1e-6; 1e-4 leaves room without
/// hiding a wrong tap or offset (those are off by O(1)).
/// </summary>
public sealed class ConvGradientTests
{
    [Theory]
    [InlineData(1, 1, 0, 1)]
    [InlineData(1, 2, 1, 1)]
    [InlineData(2, 2, 1, 2)]
    [InlineData(4, 1, 1, 1)]
    public void Emit_GroupStridePadDilation_MatchesFiniteDifferences(long group, long stride, long pad, long dilation)
    {
        var model = new TestModel(type: DataType.Float);
        var x = model.Param("x", [2, 4, 7, 6]);
        var w = model.Param("w", [4, 4 / group, 3, 2]);
        var b = model.Param("b", [4]);
        model.Output(model.Op("Conv", [x, w, b], TestModel.Int("group", group), TestModel.Ints("strides", stride, stride), TestModel.Ints("pads", pad, pad, pad, 0), TestModel.Ints("dilations", dilation, 1)));

        GradientCheck.Run(model, new() { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5 });
    }
}
