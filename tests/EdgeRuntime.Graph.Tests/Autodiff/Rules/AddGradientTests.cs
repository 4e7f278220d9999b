namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Add's gradient, reduced back over broadcast axes, against float64 finite differences (tolerance 1e-7, see MatMulGradientTests).</summary>
public sealed class AddGradientTests
{
    [Theory]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 3, 1 })]
    [InlineData(new long[] { 2, 1, 4 }, new long[] { 3, 4 })]
    [InlineData(new long[] { 4 }, new long[] { })]
    public void Emit_Broadcasting_MatchesFiniteDifferences(long[] aShape, long[] bShape)
    {
        var model = new TestModel();
        model.Output(model.Op("Add", [model.Param("a", aShape), model.Param("b", bShape)]));

        GradientCheck.Run(model, new() { Tolerance = 1e-7 });
    }
}
