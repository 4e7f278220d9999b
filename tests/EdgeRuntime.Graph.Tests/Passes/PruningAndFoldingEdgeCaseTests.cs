using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Folding;
using EdgeRuntime.Graph.Passes.Pruning;
using EdgeRuntime.Graph.Passes.Restructuring;
using static EdgeRuntime.Graph.Tests.Passes.CodeModels;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>Pruning, folding and restructuring built in code: what must go, and near-misses that must stay.</summary>
public sealed class PruningAndFoldingEdgeCaseTests
{
    [Fact]
    public void DeadNodes_OneOutputOfTwoUsed_NodeKept()
    {
        var (model, graph) = New();
        var split = graph.AddNode("Split", [Input(graph, "x", 4), graph.AddInitializer("sizes", Tensor.Vector(2L, 2L))], ["a", "b"]);
        graph.AddOutput(split.Outputs[0]!);
        Assert.False(Apply(model, new EliminateDeadNodes()));
    }

    [Fact]
    public void UnusedInitializers_UsedOnlyInsideIfBranch_Kept()
    {
        // Silero VAD keeps its weights for If branches only; a pass blind to subgraphs would delete them.
        var (model, graph) = New();
        var condition = graph.AddInput("c", new TensorType(DataType.Bool, TensorShape.Scalar));
        var weight = Floats(graph, "branch_weight", [1f, 2f], 2);
        var then = graph.CreateSubgraph("then");
        then.AddOutput(then.AddNode("Identity", [weight]).Output);
        var otherwise = graph.CreateSubgraph("else");
        otherwise.AddOutput(otherwise.AddNode("Neg", [weight]).Output);
        var branch = graph.AddNode("If", [condition], ["y"], attributes: [Ir.Attribute.FromGraph("then_branch", then), Ir.Attribute.FromGraph("else_branch", otherwise)]);
        graph.AddOutput(branch.Outputs[0]!);
        Floats(graph, "really_unused", [3f], 1);

        Assert.True(Apply(model, new RemoveUnusedInitializers()));
        Assert.Equal(["branch_weight"], graph.Initializers.Select(v => v.Name));
    }

    [Fact]
    public void FreezeInitializerInputs_Ir3Model_BecomesIr4WithoutWeightInputs()
    {
        var (model, graph) = New(opset: 7);
        model.IrVersion = 3;
        var x = Input(graph, "x", 2);
        var w = graph.AddInitializer("w", Tensor.From<float>([1f, 2f], 2), overridable: true);
        graph.AddOutput(graph.AddNode("Add", [x, w]).Output);
        var frozen = ApplyAndCompare(model, new FreezeInitializerInputs());
        Assert.Equal(4, frozen.IrVersion);
        Assert.Equal(["x"], frozen.Graph.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void FreezeInitializerInputs_Ir8Model_InitializerListedAsInputStaysOverridable()
    {
        // From IR 4 on an initializer listed as an input is a default the caller may override.
        var (model, graph) = New();
        var w = graph.AddInitializer("w", Tensor.From<float>([1f, 2f], 2), overridable: true);
        graph.AddOutput(graph.AddNode("Add", [Input(graph, "x", 2), w]).Output);

        Assert.False(Apply(model, new FreezeInitializerInputs()));
        Assert.Contains(graph.Inputs, i => i.Name == "w");
        Assert.True(Apply(model, new FreezeInitializerInputs(), new PassContext { FreezeInitializerInputs = true }));
        Assert.DoesNotContain(graph.Inputs, i => i.Name == "w");
    }

    [Fact]
    public void FoldConstants_OverridableInitializerInIr8Model_NotFolded()
    {
        var (model, graph) = New();
        var w = graph.AddInitializer("w", Tensor.From<float>([1f, 2f], 2), overridable: true);
        var doubled = graph.AddNode("Mul", [w, graph.AddInitializer("two", Tensor.Scalar(2f))]);
        graph.AddOutput(graph.AddNode("Add", [Input(graph, "x", 2), doubled.Output]).Output);
        Assert.False(Apply(model, new FoldConstants()));
    }

    [Fact]
    public void FoldConstants_DropoutInTrainingModeOnConstant_NotFolded()
    {
        // Every run draws a new mask: a folded Dropout would freeze one draw forever.
        var (model, graph) = New(opset: 13);
        var dropout = graph.AddNode("Dropout", [Floats(graph, "w", Random(8), 8), graph.AddInitializer("ratio", Tensor.Scalar(0.5f)), graph.AddInitializer("train", Tensor.Scalar(true))], ["wd"], attributes: [Ir.Attribute.FromInt("seed", 7)]);
        graph.AddOutput(graph.AddNode("Add", [Input(graph, "x", 2, 8), dropout.Output]).Output);
        Assert.False(Apply(model, new FoldConstants()));
        Assert.Contains(graph.Nodes, n => n.Is("Dropout"));
    }

    [Fact]
    public void EliminateCommonSubexpressions_TwoIdenticalRandomNodes_NotMerged()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 4);
        var a = graph.AddNode("RandomUniformLike", [x]);
        var b = graph.AddNode("RandomUniformLike", [x]);
        graph.AddOutput(graph.AddNode("Sub", [a.Output, b.Output]).Output);
        Assert.False(Apply(model, new EliminateCommonSubexpressions()));
        Assert.Equal(2, graph.Nodes.Count(n => n.Is("RandomUniformLike")));
    }

    [Fact]
    public void FoldConstants_DequantizeLinearOfInt8Weights_KeptQuantised()
    {
        // Weight-only quantisation: folding the DequantizeLinear would store the weights as floats, four times larger.
        var (model, graph) = New(opset: 13);
        var weights = graph.AddInitializer("wq", Tensor.From<sbyte>([.. Enumerable.Range(0, 64 * 64).Select(i => (sbyte)(i % 200 - 100))], 64, 64));
        var dequantised = graph.AddNode("DequantizeLinear", [weights, graph.AddInitializer("s", Tensor.Scalar(0.01f)), graph.AddInitializer("z", Tensor.Scalar((sbyte)0))]);
        graph.AddOutput(graph.AddNode("MatMul", [Input(graph, "x", 2, 64), dequantised.Output]).Output);
        Assert.False(Apply(model, new FoldConstants()));
    }

    [Fact]
    public void FoldConstants_ResultMuchLargerThanItsInputs_StaysComputed()
    {
        // 16 bytes of constants tiled to 64 KiB: the size cost rule keeps the Tile.
        var (model, graph) = New();
        var tile = graph.AddNode("Tile", [Floats(graph, "c", [1f, 2f, 3f, 4f], 4), graph.AddInitializer("repeats", Tensor.Vector(4096L))]);
        graph.AddOutput(graph.AddNode("Add", [Input(graph, "x", 16384), tile.Output]).Output);
        Assert.False(Apply(model, new FoldConstants()));
        Assert.Contains(graph.Nodes, n => n.Is("Tile"));
    }

    [Fact]
    public void FoldConstants_ConstantListedTwiceAsOutput_BothSlotsKeepTheName()
    {
        var (model, graph) = New();
        var sum = graph.AddNode("Add", [Floats(graph, "a", [1f], 1), Floats(graph, "b", [2f], 1)], ["y"]);
        graph.AddOutput(sum.Output);
        graph.AddOutput(sum.Output);
        Assert.True(Apply(model, new FoldConstants()));
        Assert.Equal(["y", "y"], graph.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void EliminateIdentity_IdentityOnlyCarriesOutputName_Kept()
    {
        var (model, graph) = New();
        graph.AddOutput(graph.AddNode("Identity", [Input(graph, "x", 2)]).Output);
        Assert.False(Apply(model, new EliminateIdentity()));
    }

    [Fact]
    public void EliminateIdentity_DropoutWhoseMaskIsRead_Kept()
    {
        var (model, graph) = New();
        var dropout = graph.AddNode("Dropout", [Input(graph, "x", 2)], ["y", "mask"]);
        graph.AddOutput(graph.AddNode("Relu", [dropout.Outputs[0]]).Output);
        graph.AddOutput(dropout.Outputs[1]!);
        Assert.False(Apply(model, new EliminateIdentity()));
    }

    [Fact]
    public void EliminateIdentity_ChainOfIdentityAndDropout_Removed()
    {
        var (model, graph) = New();
        var identity = graph.AddNode("Identity", [Input(graph, "x", 2)]);
        var dropout = graph.AddNode("Dropout", [identity.Output], ["d", null]);
        graph.AddOutput(graph.AddNode("Relu", [dropout.Outputs[0]]).Output);
        Assert.Equal(["Relu"], ApplyAndCompare(model, new EliminateIdentity()).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void NoOps_AddZeroThatBroadcastsWider_Kept()
    {
        var (model, graph) = New();
        graph.AddOutput(graph.AddNode("Add", [Input(graph, "x", 3), Floats(graph, "zeros", new float[6], 2, 3)]).Output);
        Assert.False(Apply(model, new EliminateNoOps()));
    }

    [Fact]
    public void NoOps_ZeroMinusX_Kept()
    {
        var (model, graph) = New();
        graph.AddOutput(graph.AddNode("Sub", [Floats(graph, "zero", [0f], 1), Input(graph, "x", 1)]).Output);
        Assert.False(Apply(model, new EliminateNoOps()));
    }

    [Fact]
    public void NoOps_MulOneAndIdentityTransposeAndSameShapeReshape_AllRemoved()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2, 3);
        var mul = graph.AddNode("Mul", [x, Floats(graph, "one", [1f], 1)]);
        var transpose = graph.AddNode("Transpose", [mul.Output], attributes: [Ir.Attribute.FromInts("perm", [0, 1])]);
        var reshape = graph.AddNode("Reshape", [transpose.Output, graph.AddInitializer("shape", Tensor.Vector(2L, 3L))]);
        graph.AddOutput(graph.AddNode("Relu", [reshape.Output]).Output);
        Assert.Equal(["Relu"], ApplyAndCompare(model, new EliminateNoOps()).Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Deduplicate_SameBytesDifferentShape_KeptApart()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2, 2);
        var a = Floats(graph, "a", [1f, 2f, 3f, 4f], 4);
        var b = Floats(graph, "b", [1f, 2f, 3f, 4f], 2, 2);
        graph.AddOutput(graph.AddNode("Add", [x, b]).Output);
        graph.AddOutput(graph.AddNode("Reshape", [a, graph.AddInitializer("s", Tensor.Vector(2L, 2L))]).Output);
        Assert.False(Apply(model, new DeduplicateInitializers()));
    }

    [Fact]
    public void CommonSubexpressions_RandomNodes_NeverMerged()
    {
        var (model, graph) = New();
        var attributes = new[] { Ir.Attribute.FromInts("shape", [3]) };
        graph.AddOutput(graph.AddNode("RandomNormal", [], attributes: attributes).Output);
        graph.AddOutput(graph.AddNode("RandomNormal", [], attributes: attributes).Output);
        Assert.False(Apply(model, new EliminateCommonSubexpressions()));
    }

    [Fact]
    public void CommonSubexpressions_SameOpDifferentAttribute_NotMerged()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2, 3);
        var a = graph.AddNode("Softmax", [x], attributes: [Ir.Attribute.FromInt("axis", 0)]);
        var b = graph.AddNode("Softmax", [x], attributes: [Ir.Attribute.FromInt("axis", 1)]);
        graph.AddOutput(graph.AddNode("Add", [a.Output, b.Output]).Output);
        Assert.False(Apply(model, new EliminateCommonSubexpressions()));
    }

    [Fact]
    public void CommonSubexpressions_TwinShapeChains_MergedToOne()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2, 3);
        var a = graph.AddNode("Relu", [x]);
        var b = graph.AddNode("Relu", [x]);
        graph.AddOutput(graph.AddNode("Add", [a.Output, b.Output]).Output);
        Assert.Equal(2, ApplyAndCompare(model, new EliminateCommonSubexpressions()).Graph.Nodes.Count);
    }

    [Fact]
    public void FoldConstants_ConstantOfShapeBeyondLimit_NotMaterialised()
    {
        var (model, graph) = New();
        var shape = graph.AddInitializer("shape", Tensor.Vector(4096L, 4096L));
        var big = graph.AddNode("ConstantOfShape", [shape], attributes: [Ir.Attribute.FromTensor("value", Tensor.From<float>([1f], 1))]);
        graph.AddOutput(graph.AddNode("ReduceSum", [big.Output], attributes: [Ir.Attribute.FromInt("keepdims", 0)]).Output);
        var context = new PassContext { Evaluator = new Inference.Optimization.OnnxRuntimeConstantEvaluator(), FoldSizeLimitBytes = 1 << 20 };

        Apply(model, new FoldConstants(), context);

        Assert.Contains(graph.Nodes, n => n.Is("ConstantOfShape"));
        Assert.All(graph.Initializers, v => Assert.True(v.Initializer!.ByteLength <= 1 << 20));
    }

    [Fact]
    public void FoldConstants_ChainOfConstantArithmetic_BecomesOneInitializer()
    {
        var (model, graph) = New();
        var root = graph.AddNode("Sqrt", [Floats(graph, "two", [2f], 1)]);
        var inverse = graph.AddNode("Reciprocal", [root.Output]);
        graph.AddOutput(graph.AddNode("Mul", [Input(graph, "x", 3), inverse.Output]).Output);
        var folded = ApplyAndCompare(model, new FoldConstants());
        new EliminateDeadNodes().Run(folded, new PassContext());
        Assert.Equal(["Mul"], folded.Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void FoldShapeValues_ShapeOfFreeDimension_NotFolded()
    {
        var (model, graph) = New();
        var x = graph.AddInput("x", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(3)])));
        graph.AddOutput(graph.AddNode("Shape", [x]).Output);
        Assert.False(Apply(model, new FoldShapeValues()));
    }

    [Fact]
    public void SpecializeShapes_SymbolBoundThroughOneInput_BindsItEverywhere()
    {
        var (model, graph) = New();
        var type = new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(4)]));
        var a = graph.AddInput("a", type);
        var b = graph.AddInput("b", type);
        var sum = graph.AddNode("Add", [a, b]);
        sum.Output.Type = type;
        graph.AddOutput(sum.Output);

        Apply(model, new SpecializeShapes(), new PassContext { InputShapes = new Dictionary<string, long[]> { ["a"] = [8, 4] } });

        Assert.Equal("float[8,4]", b.Type!.ToString());
        Assert.Equal("float[8,4]", sum.Output.Type!.ToString());
    }

    [Fact]
    public void SpecializeShapes_ConflictingBindings_ClearError()
    {
        var (model, graph) = New();
        var type = new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch")]));
        graph.AddOutput(graph.AddNode("Add", [graph.AddInput("a", type), graph.AddInput("b", type)]).Output);
        var ex = Assert.Throws<ArgumentException>(() => Apply(model, new SpecializeShapes(), new PassContext { InputShapes = new Dictionary<string, long[]> { ["a"] = [1], ["b"] = [2] } }));
        Assert.Contains("symbol 'batch' is bound to both 1 and 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PushTransposes_ChainNotEndingInTranspose_LeftAlone()
    {
        var (model, graph) = New();
        var transpose = graph.AddNode("Transpose", [Input(graph, "x", 2, 3)]);
        graph.AddOutput(graph.AddNode("Relu", [transpose.Output]).Output);
        Assert.False(Apply(model, new PushTransposesThroughElementwise()));
    }

    [Fact]
    public void PruneOutputs_NameOfNoValue_ClearError()
    {
        var (model, graph) = New();
        graph.AddOutput(graph.AddNode("Relu", [Input(graph, "x", 2)]).Output);
        var ex = Assert.Throws<InvalidOperationException>(() => new PruneOutputs().Run(model, new PassContext { KeepOutputs = ["nowhere"] }));
        Assert.Equal("--keep-output 'nowhere' names no value of the main graph", ex.Message);
    }

    [Fact]
    public void RemoveUnusedInputs_SubgraphInputs_NeverTouched()
    {
        var (model, graph) = New();
        var body = graph.CreateSubgraph("body");
        body.AddInput("iteration", new TensorType(DataType.Int64, TensorShape.Scalar));
        var keepGoing = body.AddInput("condition", new TensorType(DataType.Bool, TensorShape.Scalar));
        body.AddOutput(body.AddNode("Identity", [keepGoing]).Output);
        var loop = graph.AddNode("Loop", [graph.AddInitializer("trips", Tensor.Scalar(3L)), graph.AddInitializer("go", Tensor.Scalar(true))], [], attributes: [Ir.Attribute.FromGraph("body", body)]);
        graph.AddOutput(graph.AddNode("Relu", [Input(graph, "x", 2)]).Output);
        _ = loop;

        Apply(model, new RemoveUnusedInputs());

        Assert.Equal(2, body.Inputs.Count);
    }
}
