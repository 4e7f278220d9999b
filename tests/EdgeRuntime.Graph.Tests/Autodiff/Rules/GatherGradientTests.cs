using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Gather as an embedding lookup with repeated and negative indices (repeats must accumulate): ScatterND with
/// reduction add from opset 16, the one-hot product before; along axis 0 and an inner axis. Float64 finite
/// differences, tolerance 1e-7 of the largest gradient (FD error ≈ 1e-10 at h = 1e-6).
/// </summary>
public sealed class GatherGradientTests
{
    [Theory]
    [InlineData(17, 0)]
    [InlineData(17, 1)]
    [InlineData(13, 0)]
    [InlineData(13, 2)]
    [InlineData(9, 1)]
    public void Emit_RepeatedAndNegativeIndices_MatchesFiniteDifferences(long opset, long axis)
    {
        var model = new TestModel(opset);
        var table = model.Param("table", [5, 4, 3]);
        var indices = model.Ints("ids", [1, 3, 1, -1, 0, 1], 2, 3);
        var size = axis == 0 ? 5 : axis == 1 ? 4 : 3;
        var index = axis == 0 ? indices : model.Ints("ids_inner", [1, size - 1, 1, -1, 0, 1], 2, 3);
        model.Output(model.Op("Gather", [table, index], TestModel.Int("axis", axis)));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }

    [Fact]
    public void Emit_Int32ScalarIndex_MatchesFiniteDifferences()
    {
        var model = new TestModel();
        var index = model.Graph.AddInitializer("id", Tensor.Scalar(2));
        model.Output(model.Op("Gather", [model.Param("table", [4, 3]), index]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
