namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// LogSoftmax over one axis (opset 13) and over the coerced 2-D form (opset 11: every axis from <c>axis</c> on), float64
/// finite differences; tolerance 1e-7 of the largest gradient (FD error ≈ 1e-10 at h = 1e-6).
/// </summary>
public sealed class LogSoftmaxGradientTests
{
    [Theory]
    [InlineData(13, 1)]
    [InlineData(13, -1)]
    [InlineData(11, 1)]
    [InlineData(11, 0)]
    public void Emit_Axis_MatchesFiniteDifferences(long opset, long axis)
    {
        var model = new TestModel(opset);
        model.Output(model.Op("LogSoftmax", [model.Param("x", [2, 3, 4], -2, 2)], TestModel.Int("axis", axis)));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
