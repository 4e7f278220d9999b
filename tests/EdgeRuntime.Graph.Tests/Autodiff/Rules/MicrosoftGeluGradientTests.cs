using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// com.microsoft.Gelu (ONNX Runtime runs it in float32 only): float32 analytic gradient against finite differences
/// of the C# float64 reference; tolerance 1e-4 (see <see cref="UnaryCheck"/>).
/// </summary>
public sealed class MicrosoftGeluGradientTests
{
    [Fact]
    public void Emit_Float32_MatchesFiniteDifferences() => UnaryCheck.Run("Gelu", [], DataType.Float, opset: 17, low: -3, high: 3, domain: "com.microsoft");
}
