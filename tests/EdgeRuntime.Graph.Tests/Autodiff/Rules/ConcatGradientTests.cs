using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Concat with known sizes (static slices) and along a free dimension (offsets computed from shapes at run time);
/// float64 finite differences, tolerance 1e-7 of the largest gradient (FD error ≈ 1e-10 at h = 1e-6).
/// </summary>
public sealed class ConcatGradientTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Emit_KnownSizes_MatchesFiniteDifferences(long axis)
    {
        var model = new TestModel();
        var a = model.Param("a", [2, 3, 4]);
        var b = model.Param("b", axis == 1 ? [2, 2, 4] : [2, 3, 2]);
        var c = model.Param("c", axis == 1 ? [2, 1, 4] : [2, 3, 1]);
        model.Output(model.Op("Concat", [a, b, c], TestModel.Int("axis", axis)));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }

    [Fact]
    public void Emit_FreeDimension_MatchesFiniteDifferences()
    {
        var model = new TestModel();
        var rows = model.Input("rows", [Dim.Symbolic("n"), Dim.Known(3)]);
        var p = model.Param("p", [2, 3]);
        var q = model.Param("q", [1, 3]);
        model.Output(model.Op("Concat", [p, model.Op("Mul", [rows, q]), q], TestModel.Int("axis", 0)));
        var random = new Random(3);

        GradientCheck.Run(model, new()
        {
            Tolerance = 1e-7,
            Feeds = new Dictionary<string, Tensor> { ["rows"] = GradientCheck.RandomTensor(DataType.Double, [4, 3], random, -1, 1) },
        });
    }
}
