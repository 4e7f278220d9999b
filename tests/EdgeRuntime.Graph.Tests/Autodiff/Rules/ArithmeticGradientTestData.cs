namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Operand shapes the broadcasting binary operators are checked with: equal, trailing vector, leading-axis and middle-axis broadcasts, scalar.</summary>
internal static class ArithmeticGradientTestData
{
    public static TheoryData<long[], long[]> Shapes => new()
    {
        { [2, 3], [2, 3] },
        { [2, 3, 4], [4] },
        { [2, 1, 4], [3, 1] },
        { [1, 3], [2, 1, 1] },
        { [3], [] },
    };
}
