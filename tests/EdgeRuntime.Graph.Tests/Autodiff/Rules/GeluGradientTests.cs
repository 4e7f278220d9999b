using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// ONNX Gelu (opset 20). The tanh approximation runs in float64 (tolerance 1e-7); the exact form needs Erf, which ONNX
/// Runtime has in float32 only, so it is checked in float32 against the C# float64 reference (tolerance 1e-4); see
/// <see cref="UnaryCheck"/>.
/// </summary>
public sealed class GeluGradientTests
{
    [Fact]
    public void Emit_Exact_MatchesFiniteDifferences() => UnaryCheck.Run("Gelu", [], DataType.Float, opset: 20, low: -3, high: 3);

    [Fact]
    public void Emit_TanhApproximation_MatchesFiniteDifferences() => UnaryCheck.Run("Gelu", [TestModel.Text("approximate", "tanh")], opset: 20, low: -3, high: 3);
}
