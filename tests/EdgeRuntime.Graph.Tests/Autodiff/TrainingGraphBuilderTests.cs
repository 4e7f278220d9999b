using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;

namespace EdgeRuntime.Graph.Tests.Autodiff;

/// <summary>What the builder produces around the rules: the training model's interface, pruning of frozen parts, errors.</summary>
public sealed class TrainingGraphBuilderTests
{
    [Fact]
    public void Build_Interface_ParametersBecomeInputsFrozenStayInitializers()
    {
        var (model, _) = SmallClassifier();
        var before = OnnxModelWriter.ToBytes(model.Model);

        var training = TrainingGraphBuilder.Build(model.Model, new([new(LossKind.SoftmaxCrossEntropy, "logits", "label", "label_weight")], ["head_w", "head_b"]));

        Assert.Equal(before, OnnxModelWriter.ToBytes(model.Model));
        var graph = training.Model.Graph;
        Assert.Equal(["head_w", "head_b"], training.ParameterInputs);
        Assert.All(training.ParameterInputs, p => Assert.True(graph.FindValue(p) is { IsGraphInput: true, Initializer: null }));
        Assert.True(graph.FindValue("conv_w") is { IsConstant: true });
        Assert.Equal(["image"], training.DataInputs);
        Assert.Equal(["label"], training.TargetInputs);
        Assert.Equal(["label_weight"], training.WeightInputs);
        Assert.Equal(DataType.Int64, graph.FindValue("label")!.TensorType!.ElementType);
        Assert.Equal(["loss", "head_w_grad", "head_b_grad"], graph.Outputs.Select(o => o.Name));
        Assert.Equal("loss", training.LossOutput);
        Assert.Equal("head_w_grad", training.GradientOutputs["head_w"]);
        Assert.Empty(GraphVerifier.Verify(training.Model));
    }

    [Fact]
    public void Build_FrozenConvolutionBeforeTheHead_GetsNoBackwardNodes()
    {
        var (model, _) = SmallClassifier();

        var head = TrainingGraphBuilder.Build(model.Model, new([new(LossKind.SoftmaxCrossEntropy, "logits", "label")], ["head_w", "head_b"]));
        var withBias = TrainingGraphBuilder.Build(model.Model, new([new(LossKind.SoftmaxCrossEntropy, "logits", "label")], ["head_w", "head_b", "conv_b"]));

        // Only the head's MatMul and Add are differentiated; the Softmax after the logits is pruned.
        Assert.Equal(["head_add", "head_matmul"], Differentiated(head));
        Assert.DoesNotContain(head.Model.Graph.Nodes, n => n.OpType == "Softmax");
        Assert.Equal(6, Differentiated(withBias).Count);
        Assert.Contains("conv", Differentiated(withBias));
    }

    /// <summary>The forward nodes the training graph has backward nodes for (they are named "&lt;node&gt;_grad/…").</summary>
    private static List<string> Differentiated(TrainingGraph training) =>
    [
        .. training.Model.Graph.Nodes.Select(n => n.Name).Where(n => n.Contains("_grad/", StringComparison.Ordinal))
            .Select(n => n[..n.IndexOf("_grad/", StringComparison.Ordinal)]).Where(n => training.Model.Graph.Nodes.Any(f => f.Name == n)).Distinct().Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void Build_OperatorWithoutRuleOnThePath_FailsNamingNodeAndOperator()
    {
        var model = new TestModel();
        var x = model.Param("x", [2, 3]);
        var sine = model.Graph.AddNode("Sin", [x], ["sine"], name: "wave");
        model.Output(sine.Output);

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([new(LossKind.MeanSquaredError, "sine", "t")], ["x"])));

        Assert.Equal("node 'wave' (Sin): no gradient rule for this operator, and a gradient of the trainable parameters must flow through it", error.Message);
    }

    [Fact]
    public void Build_OperatorsWithoutRuleOffThePath_Build()
    {
        // Sin before the first parameter, TopK and ArgMax (integer results) beside the path, Cos on an output without a loss.
        var model = new TestModel();
        var input = model.Input("x", 2, 4);
        var frozen = model.Op("Sin", [input]);
        var w = model.Param("w", [4, 4]);
        var hidden = model.Op("MatMul", [frozen, w]);
        var top = model.Graph.AddNode("TopK", [hidden, model.Ints("k", [2], 1)], ["top_values", "top_indices"]);
        var arg = model.Op("ArgMax", [hidden], TestModel.Int("axis", 1));
        var scaled = model.Op("Mul", [hidden, model.Op("Cast", [arg], TestModel.Int("to", (long)DataType.Double))]);
        model.Output(model.Op("Add", [scaled, hidden]), model.Op("Cos", [hidden]), top.Outputs[1]!);

        var report = GradientCheck.Run(model, new() { Tolerance = 1e-7, Losses = [new(LossKind.MeanSquaredError, model.Graph.Outputs[0].Name, "t")] });

        Assert.DoesNotContain(report.Graph.Model.Graph.Nodes, n => n.OpType is "Cos" or "TopK");
    }

    [Fact]
    public void Build_ParameterTheLossDoesNotReach_GetsZeroGradient()
    {
        var model = new TestModel();
        var used = model.Param("used", [3]);
        model.Output(model.Op("Neg", [used]), model.Op("Neg", [model.Param("unused", [2, 2])]));
        var training = TrainingGraphBuilder.Build(model.Model, new([new(LossKind.MeanSquaredError, model.Graph.Outputs[0].Name, "t")], ["used", "unused"]));
        using var session = ModelSession.Create(OnnxModelWriter.ToBytes(training.Model), GradientCheck.Exact);

        var results = session.Run(new Dictionary<string, Tensor>
        {
            ["used"] = Tensor.From<double>([1, 2, 3], 3),
            ["unused"] = Tensor.From<double>([1, 2, 3, 4], 2, 2),
            ["t"] = Tensor.From<double>([0, 0, 0], 3),
        });

        Assert.Equal([0, 0, 0, 0], results["unused_grad"].ToDoubleArray());
        Assert.Equal([2 / 3.0, 4 / 3.0, 2.0], results["used_grad"].ToDoubleArray());
    }

    [Fact]
    public void Build_ControlFlowReadingAParameter_Fails()
    {
        var model = new TestModel();
        var w = model.Param("w", [2]);
        var flag = model.Graph.AddInitializer("flag", Tensor.Scalar(true));
        var thenBranch = model.Graph.CreateSubgraph("then");
        thenBranch.AddOutput(thenBranch.AddNode("Neg", [w], ["then_out"]).Output);
        var elseBranch = model.Graph.CreateSubgraph("else");
        elseBranch.AddOutput(elseBranch.AddNode("Identity", [w], ["else_out"]).Output);
        var choice = model.Graph.AddNode("If", [flag], ["chosen"], name: "branch", attributes: [Ir.Attribute.FromGraph("then_branch", thenBranch), Ir.Attribute.FromGraph("else_branch", elseBranch)]);
        choice.Output.Type = new TensorType(DataType.Double, TensorShape.Of(2));
        model.Output(choice.Output);

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([new(LossKind.MeanSquaredError, "chosen", "t")], ["w"])));

        Assert.StartsWith("node 'branch' (If): no gradient rule", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ControlFlowInTheFrozenPart_IsCopied()
    {
        var model = new TestModel();
        var flag = model.Graph.AddInitializer("flag", Tensor.Scalar(false));
        var constant = model.Graph.AddInitializer("c", Tensor.From<double>([0.5, 2], 2));
        var thenBranch = model.Graph.CreateSubgraph("then");
        thenBranch.AddOutput(thenBranch.AddNode("Neg", [constant], ["then_out"]).Output);
        var elseBranch = model.Graph.CreateSubgraph("else");
        elseBranch.AddOutput(elseBranch.AddNode("Identity", [constant], ["else_out"]).Output);
        var choice = model.Graph.AddNode("If", [flag], ["chosen"], attributes: [Ir.Attribute.FromGraph("then_branch", thenBranch), Ir.Attribute.FromGraph("else_branch", elseBranch)]);
        choice.Output.Type = new TensorType(DataType.Double, TensorShape.Of(2));
        model.Output(model.Op("Mul", [choice.Output, model.Param("w", [2])]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }

    [Fact]
    public void Build_StridedConvolutionOverFreeSizes_AsksForInputShapesThenBuilds()
    {
        var model = new TestModel(13, DataType.Float);
        var image = model.Input("image", [Dim.Symbolic("n"), Dim.Known(2), Dim.Symbolic("h"), Dim.Symbolic("w")]);
        var conv = model.Op("Conv", [image, model.Param("k", [3, 2, 1, 1])]);
        model.Output(model.Op("Conv", [conv, model.Param("k2", [2, 3, 3, 3])], TestModel.Ints("strides", 2, 2), TestModel.Ints("pads", 1, 1, 1, 1)));
        var loss = new LossTerm(LossKind.MeanSquaredError, model.Graph.Outputs[0].Name, "t");

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([loss], ["k", "k2"])));
        Assert.Contains("has stride 2 and a free size; the input gradient needs it known (set TrainingGraphRequest.InputShapes)", error.Message, StringComparison.Ordinal);

        // k2's gradient needs no input gradient of the strided Conv; with shapes bound both build and match.
        TrainingGraphBuilder.Build(model.Model, new([loss], ["k2"]));
        GradientCheck.Run(model, new() { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5, Losses = [loss], InputShapes = new Dictionary<string, long[]> { ["image"] = [2, 2, 7, 8] } });
    }

    [Theory]
    [InlineData(new string[] { }, "the training graph request names no trainable initializer")]
    [InlineData(new[] { "nothing" }, "trainable 'nothing': the model's main graph has no initializer of that name")]
    public void Build_BadTrainableList_FailsWithOneLine(string[] trainable, string expected)
    {
        var (model, _) = SmallClassifier();

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([new(LossKind.SoftmaxCrossEntropy, "logits", "label")], trainable)));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void SupportedOperators_ListsTheRules()
    {
        Assert.Contains("Conv", TrainingGraphBuilder.SupportedOperators);
        Assert.Contains("com.microsoft.Gelu", TrainingGraphBuilder.SupportedOperators);
        Assert.Equal(TrainingGraphBuilder.SupportedOperators.Order(StringComparer.Ordinal), TrainingGraphBuilder.SupportedOperators);
    }

    /// <summary>image [1, 2, 6, 6] → Conv(conv_w, conv_b) → Relu → GlobalAveragePool → Flatten → MatMul(head_w) → Add(head_b) = logits → Softmax.</summary>
    internal static (TestModel Model, Value Logits) SmallClassifier()
    {
        var model = new TestModel(13, DataType.Float);
        var image = model.Input("image", 1, 2, 6, 6);
        var conv = model.Graph.AddNode("Conv", [image, model.Param("conv_w", [4, 2, 3, 3]), model.Param("conv_b", [4])], ["features"], name: "conv", attributes: [TestModel.Ints("pads", 1, 1, 1, 1)]);
        var relu = model.Op("Relu", [conv.Output]);
        var pooled = model.Op("Flatten", [model.Op("GlobalAveragePool", [relu])]);
        var matmul = model.Graph.AddNode("MatMul", [pooled, model.Param("head_w", [4, 3])], ["scores"], name: "head_matmul");
        var add = model.Graph.AddNode("Add", [matmul.Output, model.Param("head_b", [3])], ["logits"], name: "head_add");
        model.Output(model.Op("Softmax", [add.Output], TestModel.Int("axis", 1)));
        return (model, add.Output);
    }
}
