namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// ReduceSum with axes as an attribute (opset 11) and an input (opset 13), keepdims 0 and 1, all axes, and
/// noop_with_empty_axes; float64 finite differences, tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).
/// </summary>
public sealed class ReduceSumGradientTests
{
    [Theory]
    [InlineData(new long[] { 1 }, 1)]
    [InlineData(new long[] { 0, -1 }, 0)]
    [InlineData(new long[] { }, 0)]
    public void Emit_AttributeAxes_MatchesFiniteDifferences(long[] axes, long keepDims) =>
        ShapeRuleCheck.Run(11, (m, x) => axes.Length == 0
            ? m.Op("ReduceSum", [x], TestModel.Int("keepdims", keepDims))
            : m.Op("ReduceSum", [x], TestModel.Ints("axes", axes), TestModel.Int("keepdims", keepDims)));

    [Theory]
    [InlineData(new long[] { 2 }, 0, 0)]
    [InlineData(new long[] { -3, 1 }, 1, 0)]
    [InlineData(new long[] { }, 1, 1)]
    public void Emit_InputAxes_MatchesFiniteDifferences(long[] axes, long keepDims, long noop) =>
        ShapeRuleCheck.Run(13, (m, x) => m.Op("ReduceSum", [x, axes.Length == 0 ? null : m.Ints("axes", axes, axes.Length)], TestModel.Int("keepdims", keepDims), TestModel.Int("noop_with_empty_axes", noop)));
}
