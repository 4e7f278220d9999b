namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Log (y = ln x, x in [0.5, 2]) against float64 finite differences of ONNX Runtime's float64 forward pass; tolerance 1e-7 (see <see cref="UnaryCheck"/>).</summary>
public sealed class LogGradientTests
{
    [Fact]
    public void Emit_Float64_MatchesFiniteDifferences() => UnaryCheck.Run("Log", [], low: 0.5, high: 2);
}
