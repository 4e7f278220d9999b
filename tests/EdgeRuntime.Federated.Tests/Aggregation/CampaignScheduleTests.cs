using EdgeRuntime.Federated.Aggregation;

namespace EdgeRuntime.Federated.Tests.Aggregation;

public sealed class CampaignScheduleTests
{
    [Theory]
    [InlineData(0, 1e-3)]
    [InlineData(10, 5e-4)]
    [InlineData(15, 1.4644660940672627e-4)]
    [InlineData(20, 0.0)]
    [InlineData(21, 0.0)]
    public void Cosine_FromTheRateToZeroOverNVersions(long t, double expected) =>
        Assert.Equal(expected, CampaignSchedule.Cosine(1e-3, t, 20), 15);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Cosine_NoCampaignLength_KeepsTheRate(int n) =>
        Assert.Equal(1e-3, CampaignSchedule.Cosine(1e-3, 1000, n));

    [Fact]
    public void Cosine_NegativeStep_CountsAsTheFirstVersion() =>
        Assert.Equal(2.0, CampaignSchedule.Cosine(2.0, -3, 8));

    [Fact]
    public void Cosine_NeverRisesAlongTheCampaign()
    {
        var rates = Enumerable.Range(0, 31).Select(t => CampaignSchedule.Cosine(1, t, 30)).ToArray();

        Assert.All(rates.Zip(rates.Skip(1)), pair => Assert.True(pair.Second <= pair.First, $"{pair.Second} after {pair.First}"));
    }
}
