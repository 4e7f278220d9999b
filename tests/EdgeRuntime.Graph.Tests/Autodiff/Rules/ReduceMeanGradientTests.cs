namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>ReduceMean with axes as an attribute (opset 17) and an input (opset 18), keepdims 0 and 1, all axes; float64, tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).</summary>
public sealed class ReduceMeanGradientTests
{
    [Theory]
    [InlineData(new long[] { 1 }, 1)]
    [InlineData(new long[] { 0, 2 }, 0)]
    [InlineData(new long[] { }, 0)]
    public void Emit_AttributeAxes_MatchesFiniteDifferences(long[] axes, long keepDims) =>
        ShapeRuleCheck.Run(17, (m, x) => axes.Length == 0
            ? m.Op("ReduceMean", [x], TestModel.Int("keepdims", keepDims))
            : m.Op("ReduceMean", [x], TestModel.Ints("axes", axes), TestModel.Int("keepdims", keepDims)));

    [Theory]
    [InlineData(new long[] { -1 }, 0)]
    [InlineData(new long[] { 0, 1 }, 1)]
    public void Emit_InputAxes_MatchesFiniteDifferences(long[] axes, long keepDims) =>
        ShapeRuleCheck.Run(18, (m, x) => m.Op("ReduceMean", [x, m.Ints("axes", axes, axes.Length)], TestModel.Int("keepdims", keepDims)));
}
