using EdgeRuntime.Messaging.Broker;

namespace EdgeRuntime.Messaging.Tests.Broker;

public sealed class RetainedBudgetTests
{
    [Fact]
    public void TryAdmit_CountsPerTopic_RefusesGrowthBeyondTheCap_AlwaysLetsShrinkOrDelete()
    {
        var budget = new RetainedBudget(100);

        Assert.True(budget.TryAdmit("a", 60));
        Assert.False(budget.TryAdmit("b", 50));
        Assert.True(budget.TryAdmit("b", 40));
        Assert.True(budget.TryAdmit("a", 60));
        Assert.False(budget.TryAdmit("a", 61));
        Assert.Equal(100, budget.Total);

        Assert.True(budget.TryAdmit("a", 0));
        Assert.Equal(40, budget.Total);
        Assert.True(budget.TryAdmit("c", 60));
        Assert.Equal(100, budget.Total);
    }

    [Fact]
    public void Seed_OverTheCap_IsCounted_ThenOnlyShrinkingPasses()
    {
        var budget = new RetainedBudget(100);
        budget.Seed("a", 80);
        budget.Seed("b", 80);

        Assert.False(budget.TryAdmit("c", 1));
        Assert.True(budget.TryAdmit("a", 10));
        Assert.Equal(90, budget.Total);
        budget.Clear();
        Assert.Equal(0, budget.Total);
    }
}
