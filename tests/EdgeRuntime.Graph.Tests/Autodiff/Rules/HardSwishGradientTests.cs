using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>HardSwish (opset 14) on x in [−5, 5] (both flat parts and the ramp), float32 (no float64 kernel in ONNX Runtime) against finite differences of the C# float64 reference; tolerance 1e-4 (see <see cref="UnaryCheck"/>).</summary>
public sealed class HardSwishGradientTests
{
    [Fact]
    public void Emit_AllThreeRegions_MatchesFiniteDifferences() => UnaryCheck.Run("HardSwish", [], DataType.Float, opset: 14, low: -5, high: 5);
}
