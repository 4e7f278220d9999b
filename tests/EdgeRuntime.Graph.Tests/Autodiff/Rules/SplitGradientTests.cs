using EdgeRuntime.Graph.Autodiff;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Split with sizes as an attribute (opset 11) and an input (opset 13), with a loss on only some outputs (the others
/// contribute zeros); float64 finite differences, tolerance 1e-7 (FD error ≈ 1e-10 at h = 1e-6).
/// </summary>
public sealed class SplitGradientTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    public void Emit_LossOnSomeOutputs_MatchesFiniteDifferences(long opset)
    {
        var model = new TestModel(opset);
        var x = model.Op("Mul", [model.Param("x", [2, 6]), model.Param("u", [6])]);
        var inputs = opset >= 13 ? new[] { x, model.Ints("sizes", [1, 3, 2], 3) } : [x];
        var attributes = opset >= 13 ? new[] { TestModel.Int("axis", 1) } : [TestModel.Int("axis", 1), TestModel.Ints("split", 1, 3, 2)];
        var split = model.Graph.AddNode("Split", inputs, ["first", "second", "third"], attributes: attributes);
        model.Output(split.Outputs[0]!, split.Outputs[1]!, split.Outputs[2]!);

        GradientCheck.Run(model, new()
        {
            Tolerance = 1e-7,
            Losses = [new(LossKind.MeanSquaredError, "first", "t1"), new(LossKind.MeanSquaredError, "third", "t3")],
        });
    }
}
