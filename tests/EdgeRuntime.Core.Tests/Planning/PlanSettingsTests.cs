using EdgeRuntime.Core.Planning;

namespace EdgeRuntime.Core.Tests.Planning;

/// <summary>Plan settings compare by value (the skip list by content), so a cached plan's settings find their candidate again.</summary>
public sealed class PlanSettingsTests
{
    [Fact]
    public void Equals_SkipListsWithSameContent_EqualWithSameHash()
    {
        var a = new PlanSettings(ExecutionProvider.Cpu, RuntimeGraphLevel.Extended, 3, ["fuse-attention"], PlanPrecision.Int8Dynamic, 1, false);
        var b = a with { SkipPasses = [.. new[] { "fuse-attention" }] };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Spinning = true });
    }

    [Fact]
    public void IsRuntimeDefault_DefaultAndChangedThreads_TrueThenFalse()
    {
        Assert.True(new PlanSettings(ExecutionProvider.Cpu, RuntimeGraphLevel.All, 0, [], PlanPrecision.Fp32, 0, true).IsRuntimeDefault);
        Assert.False((PlanSettings.RuntimeDefault with { IntraOpThreads = 1 }).IsRuntimeDefault);
        Assert.False((PlanSettings.RuntimeDefault with { Provider = ExecutionProvider.Cuda }).IsRuntimeDefault);
    }

    [Fact]
    public void Describe_Int8OneThreadNoSpin_OneLine()
    {
        var settings = new PlanSettings(ExecutionProvider.Cpu, RuntimeGraphLevel.Extended, 0, [], PlanPrecision.Int8Dynamic, 1, false);

        Assert.Equal("Cpu · ort extended · O0 · int8-dynamic · 1 thread · no spin", settings.Describe());
        Assert.Equal("Cpu · ort all · O0 · fp32 · default threads", PlanSettings.RuntimeDefault.Describe());
    }
}
