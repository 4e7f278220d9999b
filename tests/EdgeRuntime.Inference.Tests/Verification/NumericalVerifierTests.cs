using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Verification;

namespace EdgeRuntime.Inference.Tests.Verification;

/// <summary>
/// The verifier's former blind spots, each shown with a wrong candidate made by hand from a reported-bug case: it must
/// fail it, and it must pass the unchanged original.
/// </summary>
public sealed class NumericalVerifierTests
{
    private static string Case(string name) => Path.Combine(AppContext.BaseDirectory, "Cases", "optimizer", name);

    private static (byte[] Bytes, VerificationPlan Plan) Prepare(string name)
    {
        var bytes = File.ReadAllBytes(Case(name));
        return (bytes, NumericalVerifier.Prepare(bytes, new VerificationOptions(), TestContext.Current.CancellationToken));
    }

    private static byte[] Edit(byte[] bytes, Action<Model> change)
    {
        var model = OnnxModelReader.Read(bytes, "candidate", null);
        change(model);
        return OnnxModelWriter.ToBytes(model);
    }

    private static VerificationReport Verify(VerificationPlan plan, byte[] candidate) =>
        new NumericalVerifier().Verify(plan, candidate, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("01-node-name-equals-output.onnx")]
    [InlineData("07-overridable-init-add.onnx")]
    [InlineData("11-squeeze-noaxes-symbolic-rank.onnx")]
    [InlineData("12c-int-div-in-rare-branch.onnx")]
    [InlineData("13a-dropout-training-const-seeded.onnx")]
    [InlineData("19-layernorm-opset13.onnx")]
    [InlineData("28-qdq-conv-weights.onnx")]
    public void Verify_UnchangedOriginal_Passes(string name)
    {
        var (bytes, plan) = Prepare(name);
        var report = Verify(plan, bytes);
        Assert.True(report.Passed, report.Failure);
    }

    [Fact]
    public void Prepare_SequenceInput_RefusedInOneLine()
    {
        var ex = Assert.Throws<VerificationException>(() => Prepare("30-sequence-input.onnx"));
        Assert.Equal("input 'seq' is a sequence; only tensor inputs can be verified, so the model is not optimised", ex.Message);
    }

    [Fact]
    public void Verify_QdqConvolutionAsOnnxRuntimeFusesIt_WithinOneStepAndTheReportSaysSo()
    {
        var (bytes, plan) = Prepare("28-qdq-conv-weights.onnx");
        var output = Assert.Single(Verify(plan, bytes).Outputs);
        Assert.StartsWith("one quantisation step of DequantizeLinear", output.ToleranceApplied, StringComparison.Ordinal);
        Assert.True(output.MaxAbsoluteError > 0, "ONNX Runtime's QLinearConv differs from the float reference here");
    }

    [Fact]
    public void Verify_OutputRenamed_Fails()
    {
        var (bytes, plan) = Prepare("01-node-name-equals-output.onnx");
        var renamed = Edit(bytes, m => m.Graph.TryRename(m.Graph.Outputs[0], "y__1"));
        Assert.Contains("outputs are [y__1], not [y]", Verify(plan, renamed).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OverridableInitializerFrozen_FailsOnTheInterface()
    {
        var (bytes, plan) = Prepare("07-overridable-init-add.onnx");
        var frozen = Edit(bytes, m => m.Graph.MakeConstant(m.Graph.FindValue("b")!));
        Assert.Contains("input 'b' is no longer an input", Verify(plan, frozen).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OverridableInitializerFoldedButStillListed_FailsOnThePerturbedSample()
    {
        var (bytes, plan) = Prepare("07-overridable-init-add.onnx");
        var folded = Edit(bytes, m =>
        {
            var b = m.Graph.FindValue("b")!;
            var copy = m.Graph.AddInitializer("b_frozen", b.Initializer!);
            m.Graph.Nodes[0].SetInput(1, copy);
        });
        Assert.Contains("initializer inputs perturbed", Verify(plan, folded).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_RankFoldedAsIfTheSymbolWereNeverOne_FailsAtSize1()
    {
        var (bytes, plan) = Prepare("11-squeeze-noaxes-symbolic-rank.onnx");
        var folded = Edit(bytes, m =>
        {
            var rank = m.Graph.FindValue("rank")!;
            m.Graph.ReplaceAllUses(rank, m.Graph.AddInitializer("rank_folded", Tensor.Scalar(2L)));
        });
        Assert.Contains("T=1", Verify(plan, folded).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FlooredDivisionInABranchRandomDataRarelyTakes_FailsOnAThresholdSample()
    {
        var (bytes, plan) = Prepare("12c-int-div-in-rare-branch.onnx");
        Assert.Contains(plan.Samples, s => s.Label.StartsWith("k = 11", StringComparison.Ordinal));
        var floored = Edit(bytes, m =>
        {
            // −7 / 2 floored is −4; ONNX Runtime truncates to −3.
            var then = m.Graph.Nodes.Single(n => n.Is("If")).Attribute("then_branch")!.Graph;
            var quotient = then.Nodes.Single(n => n.Is("Div")).Output;
            then.ReplaceAllUses(quotient, then.AddInitializer("q_floor", Tensor.Scalar(-4L)));
        });
        Assert.Contains("int64 values differ on sample 'k = 11", Verify(plan, floored).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DropoutInTrainingModeFolded_Fails()
    {
        var (bytes, plan) = Prepare("13a-dropout-training-const-seeded.onnx");
        var folded = Edit(bytes, m =>
        {
            var dropout = m.Graph.Nodes.Single(n => n.Is("Dropout"));
            m.Graph.ReplaceAllUses(dropout.Output, m.Graph.FindValue("w")!);
            m.Graph.RemoveNode(dropout);
        });
        Assert.Contains("a random operator was folded or merged", Verify(plan, folded).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_LayerNormalizationInAnOpset13Model_FailsTheStructuralCheck()
    {
        var (bytes, plan) = Prepare("19-layernorm-opset13.onnx");
        var fused = Edit(bytes, m =>
        {
            var graph = m.Graph;
            var y = graph.Outputs[0];
            var layerNorm = graph.AddNode("LayerNormalization", [graph.FindValue("x"), graph.FindValue("g"), graph.FindValue("b")], ["ln"], attributes: [Graph.Ir.Attribute.FromInt("axis", -1)]);
            layerNorm.Output.Type = y.Type;
            graph.ReplaceAllUses(y, layerNorm.Output);
        });
        var report = Verify(plan, fused);
        Assert.StartsWith("the optimised model is not well-formed", report.Failure, StringComparison.Ordinal);
        Assert.Contains(report.StructuralProblems, p => p.Contains("LayerNormalization does not exist in ai.onnx at opset 13", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_BranchNoInputReaches_VerifiedOnItsOwn()
    {
        // y = If(Size(x) > 100, Neg(x), Identity(x)) with x : float[2, 3]: no input takes the then branch.
        var graph = new Graph.Ir.Graph("unreachable");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, TensorShape.Of(2, 3)));
        var size = graph.AddNode("Size", [x], ["size"]).Output;
        var condition = graph.AddNode("Greater", [size, graph.AddInitializer("limit", Tensor.Scalar(100L))], ["big"]).Output;
        var then = graph.CreateSubgraph("then");
        then.AddOutput(then.AddNode("Neg", [x], ["t"]).Output);
        var otherwise = graph.CreateSubgraph("else");
        otherwise.AddOutput(otherwise.AddNode("Identity", [x], ["e"]).Output);
        graph.AddOutput(graph.AddNode("If", [condition], ["y"], attributes: [Graph.Ir.Attribute.FromGraph("then_branch", then), Graph.Ir.Attribute.FromGraph("else_branch", otherwise)]).Output);
        var bytes = OnnxModelWriter.ToBytes(model);
        var plan = NumericalVerifier.Prepare(bytes, new VerificationOptions(), TestContext.Current.CancellationToken);
        Assert.Contains(plan.Coverage, c => c.Contains("then taken by 0", StringComparison.Ordinal));
        Assert.Contains(plan.Branches, b => b.Branch == "then_branch" && b.Reason == "no sample takes it");

        var wrong = Edit(bytes, m =>
        {
            var branch = m.Graph.Nodes.Single(n => n.Is("If")).Attribute("then_branch")!.Graph;
            var neg = branch.Nodes.Single();
            var abs = branch.AddNode("Abs", [neg.Input(0)], ["t_abs"]);
            branch.ReplaceAllUses(neg.Output, abs.Output);
            branch.RemoveNode(neg);
        });
        Assert.Contains("verified on its own", Verify(plan, wrong).Failure, StringComparison.Ordinal);
        Assert.True(Verify(plan, bytes).Passed);
    }
}
