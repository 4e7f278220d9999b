using EdgeRuntime.Federated.Aggregation;

namespace EdgeRuntime.Federated.Tests.Aggregation;

public sealed class ServerOptimizerTests
{
    [Fact]
    public void LearningRate_NoDecay_ConstantEta() =>
        Assert.Equal(0.5, ServerOptimizer.LearningRate(1000, new AggregationOptions { ServerLearningRate = 0.5 }));

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(10, 0.7071067811865476)]
    [InlineData(30, 0.5)]
    [InlineData(990, 0.1)]
    public void LearningRate_InverseSquareRootDecay_EtaOverRootOfOnePlusStepsOverD(long steps, double expected) =>
        Assert.Equal(expected, ServerOptimizer.LearningRate(steps, new AggregationOptions { ServerLearningRate = 1, ServerLearningRateDecay = 10 }), 12);

    [Fact]
    public void Step_Sgd_MovesByTheDecayedEtaTimesTheDelta()
    {
        var options = new AggregationOptions { ServerLearningRate = 1, ServerLearningRateDecay = 10 };

        var (parameters, state) = ServerOptimizer.Step([1f, 2f], [0.5f, -1f], new ServerOptimizerState(null, null, 30), options);

        Assert.Equal([1.25f, 1.5f], parameters);
        Assert.Equal(31, state.Steps);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Check_DecayNegativeOrNotFinite_NamesTheOption(double decay) =>
        Assert.StartsWith("--server-lr-decay", new AggregationOptions { ServerLearningRateDecay = decay }.Check(), StringComparison.Ordinal);
}
