namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Relu (y = max(x, 0), inputs clear of 0) against float64 finite differences of ONNX Runtime's float64 forward pass; tolerance 1e-7 (see <see cref="UnaryCheck"/>).</summary>
public sealed class ReluGradientTests
{
    [Fact]
    public void Emit_Float64_MatchesFiniteDifferences() => UnaryCheck.Run("Relu", [], awayFromZero: true);
}
