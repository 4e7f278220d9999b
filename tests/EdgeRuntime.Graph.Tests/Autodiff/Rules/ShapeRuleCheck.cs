using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>
/// Checks an operator that moves elements (shape and indexing operators): y = op(x ⊙ u), x and u parameters (default
/// shape [2, 3, 4]), under a squared error against random targets, so every element of y gets a different gradient
/// and each must land on the right element of x. Float64, tolerance 1e-7 (FD error ≈ 1e-10 at h = 1e-6).
/// </summary>
internal static class ShapeRuleCheck
{
    public static void Run(long opset, Func<TestModel, Value, Value> apply, long[]? shape = null)
    {
        var model = new TestModel(opset);
        shape ??= [2, 3, 4];
        var scaled = model.Op("Mul", [model.Param("x", shape), model.Param("u", shape)]);
        var moved = apply(model, scaled);
        model.Output(moved);
        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
