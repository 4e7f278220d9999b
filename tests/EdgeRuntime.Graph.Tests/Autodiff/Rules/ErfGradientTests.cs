using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Erf (float32 only in ONNX Runtime): float32 analytic gradient against finite differences of the C# float64 reference; tolerance 1e-4 (see <see cref="UnaryCheck"/>).</summary>
public sealed class ErfGradientTests
{
    [Fact]
    public void Emit_Float32_MatchesFiniteDifferences() => UnaryCheck.Run("Erf", [], DataType.Float, low: -2, high: 2);
}
