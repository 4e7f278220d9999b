namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Sigmoid (y = 1/(1 + e⁻ˣ)) against float64 finite differences of ONNX Runtime's float64 forward pass; tolerance 1e-7 (see <see cref="UnaryCheck"/>).</summary>
public sealed class SigmoidGradientTests
{
    [Fact]
    public void Emit_Float64_MatchesFiniteDifferences() => UnaryCheck.Run("Sigmoid", []);
}
