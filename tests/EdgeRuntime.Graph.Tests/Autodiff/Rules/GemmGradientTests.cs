namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Gemm's gradient for every transpose combination, α, β and each C broadcast, in float64 against finite differences
/// of ONNX Runtime's float64 forward pass (tolerance 1e-7 of the largest gradient: FD error ≈ 1e-10 at h = 1e-6).
/// Opset 7 exercises the form where Gemm requires C.
/// </summary>
public sealed class GemmGradientTests
{
    [Theory]
    [InlineData(0, 0, new long[] { 5 }, 17)]
    [InlineData(0, 1, new long[] { 1, 5 }, 17)]
    [InlineData(1, 0, new long[] { 3, 1 }, 17)]
    [InlineData(1, 1, new long[] { }, 17)]
    [InlineData(1, 1, new long[] { 3, 5 }, 17)]
    [InlineData(0, 1, new long[] { 5 }, 7)]
    [InlineData(1, 0, new long[] { 3, 5 }, 9)]
    public void Emit_TransposesAlphaBetaAndBias_MatchesFiniteDifferences(long transA, long transB, long[] cShape, long opset)
    {
        var model = new TestModel(opset);
        var a = model.Param("a", transA == 1 ? [4, 3] : [3, 4]);
        var b = model.Param("b", transB == 1 ? [5, 4] : [4, 5]);
        var c = model.Param("c", cShape);
        model.Output(model.Op("Gemm", [a, b, c], TestModel.Int("transA", transA), TestModel.Int("transB", transB), TestModel.Float("alpha", 0.7f), TestModel.Float("beta", 1.3f)));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }

    [Fact]
    public void Emit_WithoutBias_MatchesFiniteDifferences()
    {
        var model = new TestModel();
        model.Output(model.Op("Gemm", [model.Param("a", [3, 4]), model.Param("b", [4, 2])]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
