using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// HardSigmoid with inputs on both flat parts and the slope (x in [−5, 5] with α 0.2, β 0.5 reaches both clips),
/// in float32 (ONNX Runtime has no float64 kernel) against finite differences of the C# float64 reference; tolerance 1e-4 (see <see cref="UnaryCheck"/>).
/// </summary>
public sealed class HardSigmoidGradientTests
{
    [Fact]
    public void Emit_AllThreeRegions_MatchesFiniteDifferences() => UnaryCheck.Run("HardSigmoid", [], DataType.Float, low: -5, high: 5);

    [Fact]
    public void Emit_AlphaBeta_MatchesFiniteDifferences() => UnaryCheck.Run("HardSigmoid", [TestModel.Float("alpha", 0.5f), TestModel.Float("beta", 0.4f)], DataType.Float, low: -3, high: 3);
}
