namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Slice: from opset 11 by scattering into the positions the slice reads (negative, clamped and strided bounds,
/// reverse steps); before, by zero padding (opset 10 with constant inputs, opset 9 with attributes). Float64 finite
/// differences, tolerance 1e-7 (see <see cref="ShapeRuleCheck"/>).
/// </summary>
public sealed class SliceGradientTests
{
    [Theory]
    [InlineData(new long[] { 1, -3 }, new long[] { 100, -1 }, new long[] { 2, 1 }, new long[] { 1, 1 })]
    [InlineData(new long[] { 0, 3 }, new long[] { 2, 0 }, new long[] { 0, 2 }, new long[] { 1, -2 })]
    [InlineData(new long[] { -1 }, new long[] { -100 }, new long[] { 2 }, new long[] { -1 })]
    public void Emit_Scatter_MatchesFiniteDifferences(long[] starts, long[] ends, long[] axes, long[] steps) =>
        ShapeRuleCheck.Run(13, (m, x) => m.Op("Slice", [x, m.Ints("starts", starts, starts.Length), m.Ints("ends", ends, ends.Length), m.Ints("axes", axes, axes.Length), m.Ints("steps", steps, steps.Length)]));

    [Fact]
    public void Emit_PaddingWithInputs_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(10, (m, x) => m.Op("Slice", [x, m.Ints("starts", [1, -2], 2), m.Ints("ends", [100, -1], 2), m.Ints("axes", [2, 1], 2)]));

    [Fact]
    public void Emit_PaddingWithAttributes_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(9, (m, x) => m.Op("Slice", [x], TestModel.Ints("starts", 1, 0), TestModel.Ints("ends", 3, -1), TestModel.Ints("axes", 2, 0)));
}
