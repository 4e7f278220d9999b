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

    [Theory]
    [InlineData(0, 0.8)]
    [InlineData(10, 0.4)]
    [InlineData(5, 0.6828427124746190)]
    [InlineData(20, 0.0)]
    [InlineData(500, 0.0)]
    public void LearningRate_Cosine_FromEtaToZeroOverNVersionsThenZero(long steps, double expected) =>
        Assert.Equal(expected, ServerOptimizer.LearningRate(steps, new AggregationOptions { ServerLearningRate = 0.8, ServerLearningRateCosine = 20 }), 12);

    [Fact]
    public void Step_FedAvgMWithCosine_LastVersionOfTheCampaignLeavesTheParametersWhereTheyAre()
    {
        var options = new AggregationOptions { ServerOptimizer = ServerOptimizerKind.FedAvgM, ServerLearningRate = 1, ServerMomentum = 0.5, ServerLearningRateCosine = 4 };

        var (early, state) = ServerOptimizer.Step([1f, 2f], [0.5f, -1f], new ServerOptimizerState(null, null, 0), options);
        var (late, _) = ServerOptimizer.Step([1f, 2f], [0.5f, -1f], state with { Steps = 4 }, options);

        Assert.Equal([1.5f, 1f], early);
        Assert.Equal([1f, 2f], late);
    }

    [Fact]
    public void Check_CosineAndDecayTogether_SaysGiveOne() =>
        Assert.Equal("--server-lr-cosine and --server-lr-decay are two schedules; give one", new AggregationOptions { ServerLearningRateCosine = 10, ServerLearningRateDecay = 5 }.Check());

    [Theory]
    [InlineData(0)]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    public void Check_TauNotPositive_NamesTheOption(double tau) =>
        Assert.StartsWith("--server-tau", new AggregationOptions { ServerEpsilon = tau }.Check(), StringComparison.Ordinal);
}
