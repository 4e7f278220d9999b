using EdgeRuntime.Federated.Aggregation;

namespace EdgeRuntime.Federated.Tests.Aggregation;

public sealed class PartialSumsTests
{
    [Fact]
    public void Merge_AnySplitOfTheSameUpdates_GivesTheSameBits()
    {
        var random = new Random(3);
        var updates = Enumerable.Range(0, 40).Select(i => (Base: (long)(i % 3), Delta: Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() - 0.5) * 1e-3f).ToArray(), Weight: (long)random.Next(1, 5000))).ToList();
        var whole = new PartialSums(64);
        foreach (var (b, d, w) in updates)
        {
            whole.Add(b, d, w);
        }

        // Two aggregators share the subscription: each folds every other update, in reverse order, then the lead merges.
        var first = new PartialSums(64);
        var second = new PartialSums(64);
        for (var i = updates.Count - 1; i >= 0; i--)
        {
            (i % 2 == 0 ? first : second).Add(updates[i].Base, updates[i].Delta, updates[i].Weight);
        }

        first.Merge(second);

        Assert.Equal(whole.Count, first.Count);
        var options = new AggregationOptions();
        Assert.Equal(AggregationRules.Mean(whole, 2, options), AggregationRules.Mean(first, 2, options));
        foreach (var (version, group) in whole.Groups)
        {
            Assert.Equal(group.Sum, first.Groups[version].Sum);
            Assert.Equal(group.Weight, first.Groups[version].Weight);
        }
    }

    [Fact]
    public void Add_WrongLength_Throws()
    {
        var sums = new PartialSums(3);

        Assert.Throws<ArgumentException>(() => sums.Add(1, [1f, 2f], 1));
    }
}
