using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Dropout in inference form is the identity; in training mode it is refused with the node named.</summary>
public sealed class DropoutGradientTests
{
    [Fact]
    public void Emit_InferenceForm_MatchesFiniteDifferences() =>
        ShapeRuleCheck.Run(13, (m, x) => m.Graph.AddNode("Dropout", [x, m.Graph.AddInitializer("ratio", Tensor.Scalar(0.5))], ["dropped", "mask"]).Outputs[0]!);

    [Fact]
    public void Build_TrainingMode_FailsNamingTheNode()
    {
        var model = new TestModel(13);
        var x = model.Param("x", [2, 3]);
        var mode = model.Graph.AddInput("training_mode", new TensorType(DataType.Bool, TensorShape.Scalar));
        var dropout = model.Graph.AddNode("Dropout", [x, null, mode], ["dropped"], name: "drop1");
        model.Output(dropout.Output);

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([new(LossKind.MeanSquaredError, "dropped", "t")], ["x"])));

        Assert.StartsWith("node 'drop1' (Dropout): training_mode", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
