using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Fusion;
using static EdgeRuntime.Graph.Tests.Passes.CodeModels;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>The attention fusion on a small BERT-style block (batch 1, sequence 4, hidden 8, 2 heads) built in code.</summary>
public sealed class AttentionEdgeCaseTests
{
    private const int Sequence = 4;
    private const int Hidden = 8;
    private const int Heads = 2;

    /// <summary>One self-attention block; <paramref name="keyReadsOtherInput"/> makes K project a different tensor.</summary>
    private static Model Block(bool keyReadsOtherInput = false, bool withMask = true)
    {
        var (model, graph) = New(opset: 13);
        var hidden = Input(graph, "hidden", 1, Sequence, Hidden);
        var other = Input(graph, "other", 1, Sequence, Hidden);
        var split = graph.AddInitializer("split", Tensor.Vector(1L, Sequence, Heads, Hidden / Heads));
        var merge = graph.AddInitializer("merge", Tensor.Vector(1L, Sequence, Hidden));

        Value Project(Value source, string name, long[] perm, int seed)
        {
            var product = graph.AddNode("MatMul", [source, Floats(graph, $"{name}_w", Random(Hidden * Hidden, seed), Hidden, Hidden)]);
            var biased = graph.AddNode("Add", [Floats(graph, $"{name}_b", Random(Hidden, seed + 10), Hidden), product.Output]);
            var heads = graph.AddNode("Reshape", [biased.Output, split]);
            return graph.AddNode("Transpose", [heads.Output], attributes: [Ir.Attribute.FromInts("perm", perm)]).Output;
        }

        var q = Project(hidden, "q", [0, 2, 1, 3], 1);
        var k = Project(keyReadsOtherInput ? other : hidden, "k", [0, 2, 3, 1], 2);
        var v = Project(hidden, "v", [0, 2, 1, 3], 3);
        var scores = graph.AddNode("MatMul", [q, k]);
        var scaled = graph.AddNode("Div", [scores.Output, graph.AddInitializer("root", Tensor.Scalar(MathF.Sqrt(Hidden / Heads)))]).Output;
        if (withMask)
        {
            var mask = graph.AddInput("mask", new TensorType(DataType.Int64, TensorShape.Of(1, Sequence)));
            var expanded = graph.AddNode("Unsqueeze", [mask, graph.AddInitializer("axes", Tensor.Vector(1L, 2L))]);
            var asFloat = graph.AddNode("Cast", [expanded.Output], attributes: [Ir.Attribute.FromInt("to", (long)DataType.Float)]);
            var inverted = graph.AddNode("Sub", [graph.AddInitializer("one", Tensor.Scalar(1f)), asFloat.Output]);
            var bias = graph.AddNode("Mul", [inverted.Output, graph.AddInitializer("filter", Tensor.Scalar(-10000f))]);
            scaled = graph.AddNode("Add", [scaled, bias.Output]).Output;
        }

        var probabilities = graph.AddNode("Softmax", [scaled], attributes: [Ir.Attribute.FromInt("axis", -1)]);
        var context = graph.AddNode("MatMul", [probabilities.Output, v]);
        var back = graph.AddNode("Transpose", [context.Output], attributes: [Ir.Attribute.FromInts("perm", [0, 2, 1, 3])]);
        graph.AddOutput(graph.AddNode("Reshape", [back.Output, merge]).Output);
        return model;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Attention_ExactBlock_FusedIntoContribAttention(bool withMask)
    {
        var fused = ApplyAndCompare(Block(withMask: withMask), new FuseAttention(), 1e-4);
        new Graph.Passes.Pruning.EliminateDeadNodes().Run(fused, new PassContext());
        var attention = Assert.Single(fused.Graph.Nodes, n => n.OpType == "Attention");
        Assert.Equal("com.microsoft", attention.Domain);
        Assert.Equal(Heads, attention.GetInt("num_heads", 0));
        Assert.DoesNotContain(fused.Graph.Nodes, n => n.Is("Softmax"));
    }

    [Fact]
    public void Attention_ProjectionsReadDifferentInputs_LeftAlone() =>
        Assert.False(Apply(Block(keyReadsOtherInput: true), new FuseAttention()));

    [Fact]
    public void Attention_TargetWithoutContribKernels_LeftAlone() =>
        Assert.False(Apply(Block(), new FuseAttention(), new PassContext { Target = OptimizationTarget.StandardOnnx }));

    [Fact]
    public void Attention_PreservedProjectionWeight_LeftAlone()
    {
        Assert.True(Apply(Block(), new FuseAttention()));

        var model = Block();
        Assert.False(Apply(model, new FuseAttention(), new PassContext { PreservedInitializers = new HashSet<string> { "k_w" } }));
        Assert.Contains(model.Graph.FindValue("k_w")!.Uses, u => u.Node.Is("MatMul"));
    }
}
