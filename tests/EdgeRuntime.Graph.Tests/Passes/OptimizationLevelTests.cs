using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>Whole presets on every real model, checked against ONNX Runtime on the original.</summary>
public sealed class OptimizationLevelTests
{
    public static TheoryData<string> RealModels => new(SharedModels.RealModels);

    [Theory]
    [MemberData(nameof(RealModels))]
    public void O1_RealModel_FewerNodesSameOutputs(string model)
    {
        var outcome = DifferentialCheck.Run(model, OptimizationPresets.For(OptimizationLevel.O1), tolerance: 1e-6);
        TestContext.Current.TestOutputHelper?.WriteLine($"{model}: nodes {outcome.Report.Before.Nodes} → {outcome.Report.After.Nodes}, initializers {outcome.Report.Before.Initializers} → {outcome.Report.After.Initializers}, max rel error {outcome.MaxRelativeError:E1}");
        Assert.True(outcome.Report.After.Nodes <= outcome.Report.Before.Nodes);
    }

    [Theory]
    [MemberData(nameof(RealModels))]
    public void O2_RealModel_FewerNodesOutputsWithinFloatRounding(string model)
    {
        var outcome = DifferentialCheck.Run(model, OptimizationPresets.For(OptimizationLevel.O2), tolerance: 1e-4);
        var fused = string.Join(", ", outcome.Report.Passes.Where(p => p.Kind == PassKind.Fuse && p.Changes > 0).Select(p => $"{p.Pass} ({p.TouchedNodes.Count})"));
        TestContext.Current.TestOutputHelper?.WriteLine($"{model}: nodes {outcome.Report.Before.Nodes} → {outcome.Report.After.Nodes}, max rel error {outcome.MaxRelativeError:E1}; {fused}");
        Assert.True(outcome.Report.After.Nodes <= outcome.Report.Before.Nodes);
    }

    [Fact]
    public void O3_MiniLmAtBatch1Sequence128_AttentionFusedOutputsWithin1e4()
    {
        var shapes = ModelInputs.Shapes(SharedModels.MiniLm)!;
        var outcome = DifferentialCheck.Run(SharedModels.MiniLm, OptimizationPresets.For(OptimizationLevel.O3), tolerance: 1e-4, DifferentialCheck.Context(shapes));
        var nodes = outcome.Model.Graph.Nodes;
        TestContext.Current.TestOutputHelper?.WriteLine($"MiniLM: nodes {outcome.Report.Before.Nodes} → {outcome.Report.After.Nodes}, max rel error {outcome.MaxRelativeError:E1}; ops {string.Join(" ", nodes.GroupBy(n => n.OpType).Select(g => $"{g.Key}:{g.Count()}"))}");
        Assert.Equal(6, nodes.Count(n => n.OpType == "Attention" && n.Domain == "com.microsoft"));
        Assert.DoesNotContain(nodes, n => n.Is("Softmax"));
    }

    [Fact]
    public void O3_UltraFace_NoMoreNodesThanOnnxSimplifierOutputsWithin1e4()
    {
        var simplified = Onnx.OnnxModelReader.Read(SharedModels.Require(SharedModels.UltraFaceSimplified)).CountNodes();
        // onnx-simplifier freezes the weights UltraFace lists as inputs; we do when told the deployment never feeds them.
        var outcome = DifferentialCheck.Run(SharedModels.UltraFaceWithoutPostprocessing, OptimizationPresets.For(OptimizationLevel.O3), tolerance: 1e-4, DifferentialCheck.Context(freezeInitializerInputs: true));
        TestContext.Current.TestOutputHelper?.WriteLine($"UltraFace: nodes {outcome.Report.Before.Nodes} → {outcome.Report.After.Nodes} (onnx-simplifier: {simplified}), max rel error {outcome.MaxRelativeError:E1}");
        Assert.True(outcome.Report.After.Nodes <= simplified, $"{outcome.Report.After.Nodes} nodes, onnx-simplifier has {simplified}");
    }
}
