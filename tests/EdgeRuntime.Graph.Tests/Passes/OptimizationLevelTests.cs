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
}
