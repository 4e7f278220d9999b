using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using static EdgeRuntime.Graph.Tests.Passes.CodeModels;

namespace EdgeRuntime.Graph.Tests.Passes;

public sealed class OperatorPurityTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void IsPure_DropoutWithConstantMode_PureOnlyAtInference(bool training, bool pure)
    {
        var (_, graph) = New();
        var x = Input(graph, "x", 4);
        var node = graph.AddNode("Dropout", [x, graph.AddInitializer("ratio", Tensor.Scalar(0.5f)), graph.AddInitializer("mode", Tensor.Scalar(training))], ["y"]);
        Assert.Equal(pure, OperatorPurity.IsPure(node));
    }

    [Fact]
    public void IsPure_DropoutModeFedAtRunTime_Impure()
    {
        var (_, graph) = New();
        var mode = graph.AddInput("mode", new TensorType(DataType.Bool, TensorShape.Scalar));
        var node = graph.AddNode("Dropout", [Input(graph, "x", 4), graph.AddInitializer("ratio", Tensor.Scalar(0.5f)), mode], ["y"]);
        Assert.False(OperatorPurity.IsPure(node));
    }

    [Theory]
    [InlineData("RandomUniformLike", "")]
    [InlineData("RandomNormal", "")]
    [InlineData("Bernoulli", "")]
    [InlineData("Multinomial", "")]
    [InlineData("BiasDropout", "com.microsoft")]
    [InlineData("MyOp", "com.example.custom")]
    public void IsPure_RandomOrUnknownOperator_Impure(string op, string domain)
    {
        var (_, graph) = New();
        var node = graph.AddNode(op, [Input(graph, "x", 4)], ["y"], domain);
        Assert.False(OperatorPurity.IsPure(node));
    }

    [Fact]
    public void IsPure_Relu_Pure()
    {
        var (_, graph) = New();
        Assert.True(OperatorPurity.IsPure(graph.AddNode("Relu", [Input(graph, "x", 4)], ["y"])));
    }
}
