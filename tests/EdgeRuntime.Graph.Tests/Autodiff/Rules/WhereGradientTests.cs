using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Where routes the gradient to the chosen branch (broadcast operands) — float64 finite differences, tolerance 1e-7 (FD error ≈ 1e-10).</summary>
public sealed class WhereGradientTests
{
    [Fact]
    public void Emit_BroadcastBranches_MatchesFiniteDifferences()
    {
        var model = new TestModel();
        var condition = model.Graph.AddInitializer("condition", Tensor.From<bool>([true, false, false, true, true, false], 2, 3));
        model.Output(model.Op("Where", [condition, model.Param("a", [2, 3]), model.Param("b", [3])]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
