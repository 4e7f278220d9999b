namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Sqrt (y = √x, x in [0.5, 2]) against float64 finite differences of ONNX Runtime's float64 forward pass; tolerance 1e-7 (see <see cref="UnaryCheck"/>).</summary>
public sealed class SqrtGradientTests
{
    [Fact]
    public void Emit_Float64_MatchesFiniteDifferences() => UnaryCheck.Run("Sqrt", [], low: 0.5, high: 2);
}
