using EdgeRuntime.Graph.Autodiff;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Inference-form BatchNormalization on [N, C, H, W] and [N, C] with x, γ, β and the running mean and variance all
/// trained; float64 finite differences, tolerance 1e-7 (FD error ≈ 1e-10 at h = 1e-6). Training mode is refused.
/// </summary>
public sealed class BatchNormalizationGradientTests
{
    [Theory]
    [InlineData(new long[] { 2, 3, 4, 5 })]
    [InlineData(new long[] { 4, 3 })]
    public void Emit_AllInputs_MatchesFiniteDifferences(long[] shape)
    {
        var model = new TestModel(15);
        var x = model.Param("x", shape);
        model.Output(model.Op("BatchNormalization", [x, model.Param("scale", [3], 0.5, 1.5), model.Param("bias", [3]), model.Param("mean", [3]), model.Param("var", [3], 0.5, 1.5)], TestModel.Float("epsilon", 1e-3f)));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }

    [Fact]
    public void Build_TrainingMode_FailsNamingTheNode()
    {
        var model = new TestModel(15);
        var x = model.Param("x", [2, 3]);
        var bn = model.Graph.AddNode("BatchNormalization", [x, model.Param("s", [3]), model.Param("b", [3]), model.Param("m", [3]), model.Param("v", [3], 0.5, 1)], ["y"], name: "bn1", attributes: [TestModel.Int("training_mode", 1)]);
        model.Output(bn.Output);

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([new(LossKind.MeanSquaredError, "y", "t")], ["b"])));

        Assert.StartsWith("node 'bn1' (BatchNormalization): only inference-form", error.Message, StringComparison.Ordinal);
    }
}
