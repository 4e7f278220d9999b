using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Fusion;
using static EdgeRuntime.Graph.Tests.Passes.CodeModels;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>Fusions built in code: the pattern matched exactly, and near-misses that must be left alone.</summary>
public sealed class FusionEdgeCaseTests
{
    private static (Model Model, Ir.Graph Graph, Node Conv, Node Bn) ConvBatchNorm()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 1, 3, 8, 8);
        var conv = graph.AddNode("Conv", [x, Floats(graph, "w", Random(4 * 3 * 9), 4, 3, 3, 3), Floats(graph, "b", Random(4, 2), 4)], "conv_out", attributes: [Ir.Attribute.FromInts("pads", [1, 1, 1, 1])]);
        var bn = graph.AddNode("BatchNormalization",
            [conv.Output, Floats(graph, "gamma", [1.5f, 0.5f, 2f, 1f], 4), Floats(graph, "beta", [0.1f, -0.2f, 0.3f, 0f], 4), Floats(graph, "mean", [0.2f, 0f, -0.1f, 0.5f], 4), Floats(graph, "var", [1f, 0.25f, 4f, 2f], 4)],
            "bn_out", attributes: [Ir.Attribute.FromFloat("epsilon", 1e-5f)]);
        graph.AddOutput(bn.Output);
        return (model, graph, conv, bn);
    }

    [Fact]
    public void ConvBatchNorm_Exact_FoldedIntoOneConv()
    {
        var (model, _, _, _) = ConvBatchNorm();
        var fused = ApplyAndCompare(model, new FuseConvBatchNorm(), 1e-5);
        Assert.Equal(["Conv"], fused.Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void ConvBatchNorm_ConvOutputHasSecondReader_LeftAlone()
    {
        var (model, graph, conv, _) = ConvBatchNorm();
        graph.AddOutput(graph.AddNode("Relu", [conv.Output]).Output);
        Assert.False(Apply(model, new FuseConvBatchNorm()));
    }

    [Fact]
    public void ConvBatchNorm_StatisticsNotConstant_LeftAlone()
    {
        var (model, graph, _, bn) = ConvBatchNorm();
        bn.SetInput(3, Input(graph, "runtime_mean", 4));
        Assert.False(Apply(model, new FuseConvBatchNorm()));
    }

    [Fact]
    public void ConvScale_PerChannelMulAndAdd_FoldedIntoWeightsAndBias()
    {
        var (model, graph) = New();
        var conv = graph.AddNode("Conv", [Input(graph, "x", 1, 2, 5, 5), Floats(graph, "w", Random(3 * 2 * 9), 3, 2, 3, 3)]);
        var scaled = graph.AddNode("Mul", [conv.Output, Floats(graph, "s", [2f, -1f, 0.5f], 1, 3, 1, 1)]);
        graph.AddOutput(graph.AddNode("Add", [scaled.Output, Floats(graph, "c", [0.1f, 0.2f, 0.3f], 3, 1, 1)]).Output);
        // One run folds both: the Add then follows the Conv the Mul was folded into.
        Assert.Equal(["Conv"], ApplyAndCompare(model, new FuseConvScaleBias()).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void ConvScale_ConstantVariesAlongSpace_LeftAlone()
    {
        var (model, graph) = New();
        var conv = graph.AddNode("Conv", [Input(graph, "x", 1, 2, 5, 5), Floats(graph, "w", Random(3 * 2 * 9), 3, 2, 3, 3)]);
        graph.AddOutput(graph.AddNode("Mul", [conv.Output, Floats(graph, "s", Random(9), 1, 1, 3, 3)]).Output);
        Assert.False(Apply(model, new FuseConvScaleBias()));
    }

    [Fact]
    public void GemmBias_ConstantAddPerColumn_MergedIntoC()
    {
        var (model, graph) = New();
        var gemm = graph.AddNode("Gemm", [Input(graph, "a", 2, 4), Floats(graph, "w", Random(12), 3, 4)], attributes: [Ir.Attribute.FromInt("transB", 1)]);
        graph.AddOutput(graph.AddNode("Mul", [gemm.Output, Floats(graph, "s", [1f, 2f, 3f], 3)]).Output);
        var fused = ApplyAndCompare(model, new FuseConvScaleBias());
        Assert.Equal(["Gemm"], fused.Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void MatMulAdd_Rank2_BecomesGemm()
    {
        var (model, graph) = New();
        var product = graph.AddNode("MatMul", [Input(graph, "a", 2, 4), Floats(graph, "w", Random(12), 4, 3)]);
        graph.AddOutput(graph.AddNode("Add", [product.Output, Floats(graph, "b", [1f, 2f, 3f], 3)]).Output);
        Assert.Equal(["Gemm"], ApplyAndCompare(model, new FuseMatMulAdd()).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void MatMulAdd_Rank3_LeftAlone()
    {
        var (model, graph) = New();
        var product = graph.AddNode("MatMul", [Input(graph, "a", 2, 5, 4), Floats(graph, "w", Random(12), 4, 3)]);
        graph.AddOutput(graph.AddNode("Add", [product.Output, Floats(graph, "b", [1f, 2f, 3f], 3)]).Output);
        Assert.False(Apply(model, new FuseMatMulAdd()));
    }

    [Fact]
    public void MatMulAdd_BiasComputedAtRunTime_LeftAlone()
    {
        var (model, graph) = New();
        var product = graph.AddNode("MatMul", [Input(graph, "a", 2, 4), Floats(graph, "w", Random(12), 4, 3)]);
        graph.AddOutput(graph.AddNode("Add", [product.Output, Input(graph, "b", 3)]).Output);
        Assert.False(Apply(model, new FuseMatMulAdd()));
    }

    [Fact]
    public void Transposes_Inverse_CancelCompletely()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2, 3, 4, 5);
        var first = graph.AddNode("Transpose", [x], attributes: [Ir.Attribute.FromInts("perm", [0, 2, 3, 1])]);
        var second = graph.AddNode("Transpose", [first.Output], attributes: [Ir.Attribute.FromInts("perm", [0, 3, 1, 2])]);
        graph.AddOutput(graph.AddNode("Relu", [second.Output]).Output);
        Assert.Equal(["Relu"], ApplyAndCompare(model, new FuseConsecutiveTransposes()).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Transposes_NotInverse_ComposedIntoOne()
    {
        var (model, graph) = New();
        var first = graph.AddNode("Transpose", [Input(graph, "x", 2, 3, 4)], attributes: [Ir.Attribute.FromInts("perm", [1, 0, 2])]);
        graph.AddOutput(graph.AddNode("Transpose", [first.Output], attributes: [Ir.Attribute.FromInts("perm", [2, 0, 1])]).Output);
        Assert.Equal(["Transpose"], ApplyAndCompare(model, new FuseConsecutiveTransposes()).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Transposes_FirstHasAnotherReader_LeftAlone()
    {
        var (model, graph) = New();
        var first = graph.AddNode("Transpose", [Input(graph, "x", 2, 3)]);
        graph.AddOutput(graph.AddNode("Transpose", [first.Output]).Output);
        graph.AddOutput(graph.AddNode("Relu", [first.Output]).Output);
        Assert.False(Apply(model, new FuseConsecutiveTransposes()));
    }

    [Fact]
    public void Reshapes_ChainToConstantTarget_CollapsedToOne()
    {
        var (model, graph) = New();
        var flat = graph.AddNode("Flatten", [Input(graph, "x", 2, 3, 4)]);
        var unsqueezed = graph.AddNode("Unsqueeze", [flat.Output, graph.AddInitializer("axes", Tensor.Vector(0L))]);
        graph.AddOutput(graph.AddNode("Reshape", [unsqueezed.Output, graph.AddInitializer("to", Tensor.Vector(4L, 6L))]).Output);
        Assert.Equal(["Reshape"], ApplyAndCompare(model, new FuseConsecutiveReshapes()).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Reshapes_TargetCopiesADimensionWithZero_LeftAlone()
    {
        var (model, graph) = New();
        var first = graph.AddNode("Reshape", [Input(graph, "x", 2, 3, 4), graph.AddInitializer("s1", Tensor.Vector(6L, 4L))]);
        graph.AddOutput(graph.AddNode("Reshape", [first.Output, graph.AddInitializer("s2", Tensor.Vector(0L, 2L, 2L))]).Output);
        Assert.False(Apply(model, new FuseConsecutiveReshapes()));
    }

    /// <summary>y = (x − mean(x)) / √(var(x) + ε) · γ + β over <paramref name="axis"/>, in a model of <paramref name="opset"/> (17: the first with LayerNormalization).</summary>
    private static (Model Model, Ir.Graph Graph, Node Sub) DecomposedLayerNorm(long axis, long opset = 17)
    {
        var (model, graph) = New(opset: opset);
        var x = Input(graph, "x", 2, 5, 8);
        var axes = new[] { Ir.Attribute.FromInts("axes", [axis]) };
        var mean = graph.AddNode("ReduceMean", [x], attributes: axes);
        var sub = graph.AddNode("Sub", [x, mean.Output]);
        var square = graph.AddNode("Pow", [sub.Output, graph.AddInitializer("two", Tensor.Scalar(2f))]);
        var variance = graph.AddNode("ReduceMean", [square.Output], attributes: axes);
        var shifted = graph.AddNode("Add", [variance.Output, graph.AddInitializer("eps", Tensor.Scalar(1e-5f))]);
        var root = graph.AddNode("Sqrt", [shifted.Output]);
        var normalised = graph.AddNode("Div", [sub.Output, root.Output]);
        var scaled = graph.AddNode("Mul", [normalised.Output, Floats(graph, "gamma", Random(8, 3), 8)]);
        graph.AddOutput(graph.AddNode("Add", [scaled.Output, Floats(graph, "beta", Random(8, 4), 8)]).Output);
        return (model, graph, sub);
    }

    [Fact]
    public void LayerNorm_LastAxis_FusedIntoOneNode()
    {
        var (model, _, _) = DecomposedLayerNorm(-1);
        Assert.Equal(["LayerNormalization"], ApplyAndCompare(model, new FuseLayerNormalization(), 1e-5).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void LayerNorm_Opset13Model_LeftAloneBecauseLayerNormalizationIsOpset17()
    {
        var (model, _, _) = DecomposedLayerNorm(-1, opset: 13);
        Assert.False(Apply(model, new FuseLayerNormalization()));
    }

    [Fact]
    public void LayerNorm_ReducesAnotherAxis_LeftAlone()
    {
        var (model, _, _) = DecomposedLayerNorm(1);
        Assert.False(Apply(model, new FuseLayerNormalization()));
    }

    [Fact]
    public void LayerNorm_CenteredValueAlsoAnOutput_LeftAlone()
    {
        var (model, graph, sub) = DecomposedLayerNorm(-1);
        graph.AddOutput(sub.Output);
        Assert.False(Apply(model, new FuseLayerNormalization()));
    }

    private static Model ErfGelu(float divisor)
    {
        var (model, graph) = New(opset: 13);
        var x = Input(graph, "x", 4, 6);
        var div = graph.AddNode("Div", [x, graph.AddInitializer("sqrt2", Tensor.Scalar(divisor))]);
        var erf = graph.AddNode("Erf", [div.Output]);
        var plus = graph.AddNode("Add", [erf.Output, graph.AddInitializer("one", Tensor.Scalar(1f))]);
        var times = graph.AddNode("Mul", [x, plus.Output]);
        graph.AddOutput(graph.AddNode("Mul", [times.Output, graph.AddInitializer("half", Tensor.Scalar(0.5f))]).Output);
        return model;
    }

    [Fact]
    public void Gelu_ErfForm_FusedIntoContribGelu()
    {
        var fused = ApplyAndCompare(ErfGelu(MathF.Sqrt(2)), new FuseGelu(), 1e-5);
        var node = Assert.Single(fused.Graph.Nodes);
        Assert.Equal(("Gelu", "com.microsoft"), (node.OpType, node.Domain));
    }

    [Fact]
    public void Gelu_DividesByAnotherConstant_LeftAlone() => Assert.False(Apply(ErfGelu(1.4f), new FuseGelu()));

    [Fact]
    public void Gelu_TargetWithoutContribKernelsBeforeOpset20_LeftAlone() =>
        Assert.False(Apply(ErfGelu(MathF.Sqrt(2)), new FuseGelu(), new PassContext { Target = OptimizationTarget.StandardOnnx }));
}
