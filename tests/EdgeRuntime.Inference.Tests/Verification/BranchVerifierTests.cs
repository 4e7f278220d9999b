using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Verification;

namespace EdgeRuntime.Inference.Tests.Verification;

/// <summary>
/// If branches no sample takes, verified on their own: a wrong branch nested in a checked branch is caught while its
/// sibling and its parent agree (the nested conditions and outer values come from the parent branch's own run), and an
/// outer value that is an overridable weight is the value each sample feeds, not the weight's default.
/// </summary>
public sealed class BranchVerifierTests
{
    private static VerificationPlan Prepare(byte[] bytes) =>
        NumericalVerifier.Prepare(bytes, new VerificationOptions(), TestContext.Current.CancellationToken);

    private static VerificationReport Verify(VerificationPlan plan, byte[] candidate) =>
        new NumericalVerifier().Verify(plan, candidate, TestContext.Current.CancellationToken);

    private static byte[] Edit(byte[] bytes, Action<Model> change)
    {
        var model = OnnxModelReader.Read(bytes, "candidate", null);
        change(model);
        return OnnxModelWriter.ToBytes(model);
    }

    /// <summary>
    /// y = If 'outer'(Size(x) > 100) { then: r = Relu(x) + w; If 'inner'(Size(r) > 100) { then: Neg(r); else: Abs(r) } ;
    /// else: Identity(x) }, x : float[2, 3], w a weight of the then branch: no sample takes either then branch. With
    /// <paramref name="uniqueNames"/> every node's name is used once in the file (asked about as it is); without, a node
    /// of the branch has the name of one of the main graph (the verifier writes a copy that names every node).
    /// </summary>
    private static byte[] Nested(bool uniqueNames)
    {
        var graph = new Graph.Ir.Graph("nested");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, TensorShape.Of(2, 3)));
        var limit = graph.AddInitializer("limit", Tensor.Scalar(100L));
        var condition = graph.AddNode("Greater", [graph.AddNode("Size", [x], ["size"], name: "dup_node_a").Output, limit], ["big"]).Output;

        var then = graph.CreateSubgraph("then");
        var w = then.AddInitializer("w", Tensor.From<float>([0.5f, -1.5f, 2f], 3));
        var r = then.AddNode("Add", [then.AddNode("Relu", [x], ["relu"]).Output, w], ["r"]).Output;
        var rSize = then.AddNode("Size", [r], ["r_size"], name: "dup_node_b").Output;
        var innerCondition = then.AddNode("Greater", [rSize, limit], ["r_big"]).Output;
        var innerThen = then.CreateSubgraph("inner_then");
        innerThen.AddOutput(innerThen.AddNode("Neg", [r], ["n"]).Output);
        var innerElse = then.CreateSubgraph("inner_else");
        innerElse.AddOutput(innerElse.AddNode("Abs", [r], ["a"]).Output);
        then.AddOutput(then.AddNode("If", [innerCondition], ["t"], name: "inner", attributes: [Graph.Ir.Attribute.FromGraph("then_branch", innerThen), Graph.Ir.Attribute.FromGraph("else_branch", innerElse)]).Output);

        var otherwise = graph.CreateSubgraph("else");
        otherwise.AddOutput(otherwise.AddNode("Identity", [x], ["e"]).Output);
        graph.AddOutput(graph.AddNode("If", [condition], ["y"], name: "outer", attributes: [Graph.Ir.Attribute.FromGraph("then_branch", then), Graph.Ir.Attribute.FromGraph("else_branch", otherwise)]).Output);
        var bytes = OnnxModelWriter.ToBytes(model);
        if (!uniqueNames)
        {
            // The IR keeps node names unique, so the file's repeated name (the main graph's Size node's, given to the
            // branch's) is made in its bytes: one name for the other, of the same length, where only node names hold it.
            var (a, b) = ("dup_node_a"u8.ToArray(), "dup_node_b"u8.ToArray());
            var at = bytes.AsSpan().IndexOf(b);
            Assert.True(at >= 0 && bytes.AsSpan(at + 1).IndexOf(b) < 0);
            a.CopyTo(bytes, at);
        }

        Assert.Equal(uniqueNames, OnnxSubgraphs.NodeNamesKept(bytes.ToArray(), OnnxModelReader.Read(bytes, "nested", null)));
        return bytes;
    }

    private static Graph.Ir.Graph Branch(Model model, string node, string branch, Graph.Ir.Graph? within = null) =>
        (within ?? model.Graph).Nodes.Single(n => n.Is("If") && n.Name == node).Attribute(branch)!.Graph;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Verify_UnchangedNestedBranches_EachAgreesAndTheReportSaysSo(bool uniqueNames)
    {
        var bytes = Nested(uniqueNames);
        var plan = Prepare(bytes);
        Assert.Contains(plan.Branches, b => (b.Node, b.Branch, b.Reason) == ("outer", "then_branch", "no sample takes it"));

        var report = Verify(plan, bytes);

        Assert.True(report.Passed, report.Failure);
        var samples = plan.Samples.Count;
        Assert.Contains($"then_branch of If 'outer' (no sample takes it), verified on its own: agrees on {samples} sample(s)", report.Coverage);
        Assert.Contains($"then_branch of If 'inner' in then_branch of If 'outer' (no sample takes it), verified on its own: agrees on {samples} sample(s)", report.Coverage);

        // Each branch is named once: the plan does not announce what the verification then reports.
        Assert.Single(report.Coverage, c => c.StartsWith("then_branch of If 'outer' ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Verify_WrongBranchNestedInACheckedBranch_FailsOnThatBranchAlone(bool uniqueNames)
    {
        var bytes = Nested(uniqueNames);
        var plan = Prepare(bytes);

        // Neg → Abs in the inner then branch: its sibling (the inner else, which the outer check runs) and the outer then
        // branch's own outputs still agree, so only the nested check can see it.
        var wrong = Edit(bytes, m =>
        {
            var innerThen = Branch(m, "inner", "then_branch", Branch(m, "outer", "then_branch"));
            var neg = innerThen.Nodes.Single();
            var abs = innerThen.AddNode("Abs", [neg.Input(0)], ["n_abs"]);
            innerThen.ReplaceAllUses(neg.Output, abs.Output);
            innerThen.RemoveNode(neg);
        });

        var report = Verify(plan, wrong);

        Assert.False(report.Passed);
        Assert.StartsWith("then_branch of If 'outer' (no sample takes it), verified on its own: then_branch of If 'inner' (no sample takes it), verified on its own: output 0:", report.Failure, StringComparison.Ordinal);
        Assert.Contains(report.Coverage, c => c.StartsWith("then_branch of If 'outer' (no sample takes it), verified on its own: agrees on", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_BranchReadsAnOverridableWeightTheCandidateFroze_Fails()
    {
        // y = If(Size(x) > 100, x * w, x) with w an overridable weight (an input with a default, IR 8): samples feed w
        // perturbed, so the original's untaken branch sees those values; a candidate whose branch reads a frozen copy of
        // w's default agrees on every output of the main graph and differs only there.
        var graph = new Graph.Ir.Graph("overridable");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, TensorShape.Of(2, 3)));
        var w = graph.AddInitializer("w", Tensor.From<float>([1f, 2f, 3f], 3), overridable: true);
        var condition = graph.AddNode("Greater", [graph.AddNode("Size", [x], ["size"]).Output, graph.AddInitializer("limit", Tensor.Scalar(100L))], ["big"]).Output;
        var then = graph.CreateSubgraph("then");
        then.AddOutput(then.AddNode("Mul", [x, w], ["scaled"]).Output);
        var otherwise = graph.CreateSubgraph("else");
        otherwise.AddOutput(otherwise.AddNode("Identity", [x], ["e"]).Output);
        graph.AddOutput(graph.AddNode("If", [condition], ["y"], name: "gate", attributes: [Graph.Ir.Attribute.FromGraph("then_branch", then), Graph.Ir.Attribute.FromGraph("else_branch", otherwise)]).Output);
        var bytes = OnnxModelWriter.ToBytes(model);
        var plan = Prepare(bytes);
        Assert.True(Verify(plan, bytes).Passed);

        var frozen = Edit(bytes, m =>
        {
            var branch = Branch(m, "gate", "then_branch");
            var copy = m.Graph.AddInitializer("w_default", m.Graph.FindValue("w")!.Initializer!);
            var mul = branch.Nodes.Single();
            var replaced = branch.AddNode("Mul", [mul.Input(0), copy], ["scaled_frozen"]);
            branch.ReplaceAllUses(mul.Output, replaced.Output);
            branch.RemoveNode(mul);
        });

        var report = Verify(plan, frozen);

        Assert.False(report.Passed);
        Assert.StartsWith("then_branch of If 'gate' (no sample takes it), verified on its own: output 0:", report.Failure, StringComparison.Ordinal);
    }
}
