using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Folding;
using EdgeRuntime.Graph.Passes.Fusion;
using EdgeRuntime.Graph.Passes.Pruning;
using EdgeRuntime.Inference.Optimization;
using static EdgeRuntime.Graph.Tests.Passes.CodeModels;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>
/// Every pass that rewrites initializers leaves the preserved ones (PassContext.PreservedInitializers, the trainable
/// parameters) alone: same name, same bytes, still an initializer, still a graph input exactly when it was, and still
/// read by the same operators (not baked into a folded or fused constant). Each test first runs the pass without
/// preservation on the same model and sees it change the initializer, so the test can fail.
/// </summary>
public sealed class PreservedInitializerTests
{
    [Fact]
    public void RewritesInitializers_MarksTheRewritingPasses()
    {
        string[] expected =
        [
            "freeze-initializer-inputs", "fold-shape-values", "fold-constants", "deduplicate-initializers", "eliminate-no-ops",
            "fuse-conv-batchnorm", "fuse-conv-gemm-scale-bias", "fuse-layer-normalization", "fuse-gelu", "fuse-attention", "remove-unused-initializers",
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), OptimizationPresets.All.Where(p => p.RewritesInitializers).Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FreezeInitializerInputs_Preserved_StaysAnInput() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        model.IrVersion = 3;
        var x = Input(graph, "x", 2);
        var w = graph.AddInitializer("w", Tensor.From<float>([1, 2], 2), overridable: true);
        var v = graph.AddInitializer("v", Tensor.From<float>([3, 4], 2), overridable: true);
        graph.AddOutput(graph.AddNode("Add", [graph.AddNode("Mul", [x, w]).Output, v]).Output);
        return model;
    }, new FreezeInitializerInputs(), "w");

    [Fact]
    public void FoldConstants_Preserved_NotFoldedIntoAReshapedCopy() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        var w = Floats(graph, "w", Random(6), 2, 3);
        var reshaped = graph.AddNode("Reshape", [w, graph.AddInitializer("shape", Tensor.Vector(3L, 2L))]);
        graph.AddOutput(graph.AddNode("MatMul", [Input(graph, "x", 1, 3), reshaped.Output]).Output);
        return model;
    }, new FoldConstants(), "w");

    [Fact]
    public void FoldShapeValues_Preserved_IdentityOfItNotReplacedByACopy() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        var w = Floats(graph, "w", Random(3), 3);
        graph.AddOutput(graph.AddNode("Mul", [Input(graph, "x", 3), graph.AddNode("Identity", [graph.AddNode("Identity", [w]).Output]).Output]).Output);
        return model;
    }, new FoldShapeValues(), "w");

    [Fact]
    public void DeduplicateInitializers_Preserved_NotSharedWithItsTwin() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 3);
        var w = Floats(graph, "w", [1, 2, 3], 3);
        var twin = Floats(graph, "twin", [1, 2, 3], 3);
        graph.AddOutput(graph.AddNode("Mul", [graph.AddNode("Add", [x, w]).Output, twin]).Output);
        return model;
    }, new DeduplicateInitializers(), "w", "twin");

    [Fact]
    public void EliminateNoOps_PreservedZeroBias_AddStays() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        var relu = graph.AddNode("Relu", [Input(graph, "x", 2, 3)]);
        graph.AddOutput(graph.AddNode("Relu", [graph.AddNode("Add", [relu.Output, Floats(graph, "bias", [0, 0, 0], 3)]).Output]).Output);
        return model;
    }, new EliminateNoOps(), "bias");

    [Fact]
    public void RemoveUnusedInitializers_PreservedUnused_Stays() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        Floats(graph, "w", [1, 2], 2);
        graph.AddOutput(graph.AddNode("Relu", [Input(graph, "x", 2)]).Output);
        return model;
    }, new RemoveUnusedInitializers(), "w");

    [Fact]
    public void FuseConvBatchNorm_PreservedBeta_NotFolded() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        var conv = graph.AddNode("Conv", [Input(graph, "x", 1, 2, 5, 5), Floats(graph, "w", Random(3 * 2 * 3 * 3), 3, 2, 3, 3), Floats(graph, "b", Random(3, 2), 3)]);
        var bn = graph.AddNode("BatchNormalization", [conv.Output, Floats(graph, "gamma", [1, 2, 3], 3), Floats(graph, "beta", [0.1f, 0.2f, 0.3f], 3), Floats(graph, "mean", [0, 1, 0], 3), Floats(graph, "var", [1, 2, 3], 3)]);
        graph.AddOutput(bn.Output);
        return model;
    }, new FuseConvBatchNorm(), "beta");

    [Fact]
    public void FuseConvScaleBias_PreservedWeight_NotScaled() => AssertLeftAlone(() =>
    {
        var (model, graph) = New();
        var conv = graph.AddNode("Conv", [Input(graph, "x", 1, 2, 5, 5), Floats(graph, "w", Random(3 * 2 * 3 * 3), 3, 2, 3, 3)]);
        graph.AddOutput(graph.AddNode("Mul", [conv.Output, Floats(graph, "scale", [1, 2, 3], 1, 3, 1, 1)]).Output);
        return model;
    }, new FuseConvScaleBias(), "w");

    [Fact]
    public void FuseLayerNormalization_PreservedEpsilon_NotBakedIntoAnAttribute() => AssertLeftAlone(() => DecomposedLayerNorm(), new FuseLayerNormalization(), "epsilon");

    [Fact]
    public void FuseLayerNormalization_PreservedGamma_FusedNodeReadsIt()
    {
        var model = DecomposedLayerNorm();
        var context = Preserving("gamma");

        Assert.True(Apply(model, new FuseLayerNormalization(), context));

        var fused = Assert.Single(model.Graph.Nodes, n => n.Is("LayerNormalization"));
        Assert.Equal("gamma", fused.Input(1)!.Name);
        Assert.Equal("beta", fused.Input(2)!.Name);
    }

    [Fact]
    public void FuseGelu_PreservedHalf_NotFused() => AssertLeftAlone(() =>
    {
        var (model, graph) = New(opset: 20);
        var x = Input(graph, "x", 2, 3);
        var scaled = graph.AddNode("Div", [x, graph.AddInitializer("root2", Tensor.Scalar(MathF.Sqrt(2)))]);
        var plusOne = graph.AddNode("Add", [graph.AddNode("Erf", [scaled.Output]).Output, graph.AddInitializer("one", Tensor.Scalar(1f))]);
        var times = graph.AddNode("Mul", [x, plusOne.Output]);
        graph.AddOutput(graph.AddNode("Mul", [times.Output, graph.AddInitializer("half", Tensor.Scalar(0.5f))]).Output);
        return model;
    }, new FuseGelu(), "half");

    [Fact]
    public void PassManager_PassRewritesAPreservedInitializer_FailsNamingPassAndInitializer()
    {
        var (model, graph) = New();
        var w = Floats(graph, "w", [1, 2], 2);
        graph.AddOutput(graph.AddNode("Mul", [Input(graph, "x", 2), w]).Output);
        var manager = new PassManager([new OverwritesW()]);

        var error = Assert.Throws<PassManager.PassFailedException>(() => manager.Run(model, Preserving("w"), TestContext.Current.CancellationToken));

        Assert.Equal("pass test-overwrites-w failed: preserved initializer 'w' was rewritten", error.Message);
        manager.Run(model, new PassContext(), TestContext.Current.CancellationToken);
    }

    /// <summary>x̄ = ReduceMean(x), d = x − x̄, v = ReduceMean(d²), y = d / √(v + ε) · γ + β over the last axis of [2, 4].</summary>
    private static Model DecomposedLayerNorm()
    {
        var (model, graph) = New();
        var x = Input(graph, "x", 2, 4);
        var axes = new[] { Ir.Attribute.FromInts("axes", [-1]) };
        var mean = graph.AddNode("ReduceMean", [x], attributes: axes);
        var d = graph.AddNode("Sub", [x, mean.Output]);
        var square = graph.AddNode("Pow", [d.Output, graph.AddInitializer("two", Tensor.Scalar(2f))]);
        var variance = graph.AddNode("ReduceMean", [square.Output], attributes: axes);
        var root = graph.AddNode("Sqrt", [graph.AddNode("Add", [variance.Output, graph.AddInitializer("epsilon", Tensor.Scalar(1e-5f))]).Output]);
        var normalised = graph.AddNode("Div", [d.Output, root.Output]);
        var scaled = graph.AddNode("Mul", [normalised.Output, Floats(graph, "gamma", [1, 2, 3, 4], 4)]);
        graph.AddOutput(graph.AddNode("Add", [scaled.Output, Floats(graph, "beta", [0, 1, 0, 1], 4)]).Output);
        return model;
    }

    private static PassContext Preserving(params string[] names) => new()
    {
        Evaluator = new OnnxRuntimeConstantEvaluator(),
        PreservedInitializers = names.ToHashSet(StringComparer.Ordinal),
    };

    /// <summary>
    /// Runs <paramref name="pass"/> without and then with <paramref name="names"/> preserved, on fresh copies of the
    /// model, each followed by dead-node elimination (folding leaves the replaced nodes for it to remove).
    /// </summary>
    private static void AssertLeftAlone(Func<Model> build, GraphPass pass, params string[] names)
    {
        var free = build();
        var before = Snapshot(free, names[0]);
        Assert.True(Apply(free, pass), $"{pass.Name} did not fire without preservation");
        new EliminateDeadNodes().Run(free, new PassContext());
        Assert.NotEqual(before, Snapshot(free, names[0]));

        var kept = build();
        var expected = names.Select(n => Snapshot(kept, n)).ToList();
        Apply(kept, pass, Preserving(names));
        new EliminateDeadNodes().Run(kept, new PassContext());
        Assert.Equal(expected, names.Select(n => Snapshot(kept, n)));
    }

    /// <summary>Name, content, kind and readers of an initializer, as one comparable string.</summary>
    private static string Snapshot(Model model, string name) => model.Graph.FindValue(name) is { Initializer: { } tensor } value
        ? $"{name} {tensor} #{tensor.ContentHash()} input={value.IsGraphInput} read by {string.Join(",", value.Uses.Select(u => u.Node.OpType).Order(StringComparer.Ordinal))}"
        : $"{name} is no initializer";

    private sealed class OverwritesW : GraphPass
    {
        public override string Name => "test-overwrites-w";

        public override PassKind Kind => PassKind.Fold;

        public override OptimizationLevel Level => OptimizationLevel.O1;

        public override string Description => "Deliberately breaks the preservation promise, for tests.";

        public override bool Run(Model model, PassContext context)
        {
            var w = model.Graph.FindValue("w")!;
            if (w.Initializer!.AsSpan<float>()[0] == 9)
            {
                return false;
            }

            model.Graph.SetInitializer(w, Tensor.From<float>([9, 9], 2));
            return true;
        }
    }
}
