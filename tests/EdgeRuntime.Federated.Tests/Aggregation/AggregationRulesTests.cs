using EdgeRuntime.Federated.Aggregation;

namespace EdgeRuntime.Federated.Tests.Aggregation;

public sealed class AggregationRulesTests
{
    // Eight honest devices move every coordinate by about +1; two attackers send the sign-flipped change ×10 (issue 12's threat).
    private static List<BufferedDelta> Poisoned()
    {
        var updates = new List<BufferedDelta>();
        for (var i = 0; i < 8; i++)
        {
            updates.Add(new BufferedDelta($"h{i}", 5, 100, [1f + (0.01f * i), 2f - (0.01f * i)]));
        }

        updates.Add(new BufferedDelta("a0", 5, 100, [-10f, -20f]));
        updates.Add(new BufferedDelta("a1", 5, 100, [-10f, -20f]));
        return updates;
    }

    [Fact]
    public void Robust_MedianUnderSignFlipAttack_StaysWithHonestValues()
    {
        var delta = AggregationRules.Robust(Poisoned(), 5, new AggregationOptions { Combine = CombineRule.Median });

        Assert.InRange(delta[0], 1f, 1.08f);
        Assert.InRange(delta[1], 1.92f, 2f);
    }

    [Fact]
    public void Robust_TrimmedMeanUnderSignFlipAttack_DropsTheAttackers()
    {
        // β = 0.2 of 10 drops 2 at each end: both attackers go, the mean of the honest middle stays.
        var delta = AggregationRules.Robust(Poisoned(), 5, new AggregationOptions { Combine = CombineRule.TrimmedMean, TrimFraction = 0.2 });

        Assert.InRange(delta[0], 1.01f, 1.06f);
        Assert.InRange(delta[1], 1.94f, 1.99f);
    }

    [Fact]
    public void Mean_UnderSignFlipAttack_IsDraggedNegative()
    {
        // The attack works on the plain mean: that is what the robust rules are for.
        var sums = new PartialSums(2);
        foreach (var update in Poisoned())
        {
            sums.Add(update.BaseVersion, update.Delta, update.Samples);
        }

        var delta = AggregationRules.Mean(sums, 5, new AggregationOptions());

        Assert.True(delta[0] < 0, $"mean {delta[0]}");
    }

    [Fact]
    public void Mean_StaleGroup_WeightedByPolynomialStalenessOverExamples()
    {
        // Δ̄ = (s(0)·100·1 + s(3)·300·1) / 400 with s(τ) = (1+τ)^-0.5: s(3) = 0.5.
        var sums = new PartialSums(1);
        sums.Add(10, [1f], 100);
        sums.Add(7, [1f], 300);

        var delta = AggregationRules.Mean(sums, 10, new AggregationOptions { Staleness = StalenessFunction.Polynomial, StalenessExponent = 0.5 });

        Assert.Equal((100 + (0.5 * 300)) / 400, delta[0], 6);
    }

    [Theory]
    [InlineData(StalenessFunction.Constant, 7, 1.0)]
    [InlineData(StalenessFunction.Polynomial, 3, 0.5)]
    [InlineData(StalenessFunction.Hinge, 4, 1.0)]
    [InlineData(StalenessFunction.Hinge, 6, 0.5)]
    public void StalenessWeights_Of_MatchesTheFormula(StalenessFunction function, long staleness, double expected)
    {
        // Hinge with a = 0.5, b = 4: 1 up to 4, then 1/(0.5·(τ−4)+1).
        Assert.Equal(expected, StalenessWeights.Of(staleness, new AggregationOptions { Staleness = function, StalenessExponent = 0.5, HingeOffset = 4 }), 9);
    }
}
