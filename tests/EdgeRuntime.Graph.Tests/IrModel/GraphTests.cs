using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using static EdgeRuntime.Graph.Tests.Passes.CodeModels;

namespace EdgeRuntime.Graph.Tests.IrModel;

/// <summary>Names and output identity in the IR: the model's interface must survive every rewrite.</summary>
public sealed class GraphTests
{
    [Fact]
    public void AddNode_NodeNamedLikeAValue_BothKeepTheirNames()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2, 3);
        var relu = graph.AddNode("Relu", [x], ["y"], name: "y");
        graph.AddOutput(relu.Output);

        Assert.Equal("y", relu.Name);
        Assert.Equal("y", relu.Output.Name);
        var reread = OnnxModelReader.Read(OnnxModelWriter.ToBytes(model), "reread", null);
        Assert.Equal(["y"], reread.Graph.Outputs.Select(o => o.Name));
        Assert.Equal(["y"], reread.Graph.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void ReplaceAllUses_ValueListedTwiceAsOutput_EverySlotKeepsTheName()
    {
        var (_, graph) = New();
        var x = Input(graph, "x", 2);
        var relu = graph.AddNode("Relu", [x], ["y"]);
        graph.AddOutput(relu.Output);
        graph.AddOutput(relu.Output);
        var constant = graph.AddInitializer("folded", Tensor.Vector(1f, 2f));

        graph.ReplaceAllUses(relu.Output, constant);

        Assert.Equal(["y", "y"], graph.Outputs.Select(o => o.Name));
        Assert.Same(graph.Outputs[0], graph.Outputs[1]);

    }

    [Fact]
    public void ReplaceAllUses_OutputWithoutTypeTakesName_KeepsTheDeclaredType()
    {
        var (_, graph) = New();
        var x = Input(graph, "x", 2);
        var neg = graph.AddNode("Neg", [x], ["n"]);
        var identity = graph.AddNode("Identity", [neg.Output], ["y"]);
        identity.Output.Type = new TensorType(DataType.Float, TensorShape.Of(2));
        graph.AddOutput(identity.Output);

        graph.ReplaceAllUses(identity.Output, neg.Output);

        Assert.Equal("y", graph.Outputs[0].Name);
        Assert.Equal(new TensorType(DataType.Float, TensorShape.Of(2)), graph.Outputs[0].Type);
    }

    [Fact]
    public void ReplaceAllUses_BranchReturnsOuterValue_BranchFollowsAndTheValueCountsAsUsed()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2);
        var condition = graph.AddInput("c", new TensorType(DataType.Bool, TensorShape.Scalar));
        var neg = graph.AddNode("Neg", [x], ["n"]);
        var then = graph.CreateSubgraph("then");
        then.AddOutput(neg.Output);
        var otherwise = graph.CreateSubgraph("else");
        otherwise.AddOutput(otherwise.AddNode("Identity", [x], ["e"]).Output);
        var node = graph.AddNode("If", [condition], ["y"], attributes: [Graph.Ir.Attribute.FromGraph("then_branch", then), Graph.Ir.Attribute.FromGraph("else_branch", otherwise)]);
        graph.AddOutput(node.Output);

        Assert.True(neg.Output.IsUsed, "a value only a branch returns is still used");
        var abs = graph.AddNode("Abs", [x], ["a"]);
        graph.ReplaceAllUses(neg.Output, abs.Output);

        Assert.Same(abs.Output, then.Outputs[0]);
        graph.RemoveNode(neg);
        Assert.Empty(GraphVerifier.Verify(model));
    }
}
