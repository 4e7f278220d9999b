namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// MatMul's gradient against central finite differences of ONNX Runtime's float64 forward pass. Tolerance 1e-7 of
/// the largest gradient: with h = 1e-6 the difference quotient is off by about h²·|f‴| ≈ 1e-12 plus rounding
/// 1e-16/h ≈ 1e-10, and the analytic gradient is float64 too.
/// </summary>
public sealed class MatMulGradientTests
{
    [Theory]
    [InlineData(new long[] { 3, 4 }, new long[] { 4, 5 })]
    [InlineData(new long[] { 2, 1, 3, 4 }, new long[] { 3, 4, 5 })]
    [InlineData(new long[] { 4 }, new long[] { 2, 4, 5 })]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 4 })]
    [InlineData(new long[] { 4 }, new long[] { 4 })]
    public void Emit_BatchedBroadcastingAndVectors_MatchesFiniteDifferences(long[] aShape, long[] bShape)
    {
        var model = new TestModel();
        var y = model.Op("MatMul", [model.Param("a", aShape), model.Param("b", bShape)]);
        model.Output(y);

        var report = GradientCheck.Run(model, new() { Tolerance = 1e-7 });

        Assert.True(report.Coordinates > 0);
    }
}
