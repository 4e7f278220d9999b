using EdgeRuntime.Core.Learning;
using EdgeRuntime.Learning.OnDevice;

namespace EdgeRuntime.Learning.Tests.OnDevice;

public sealed class LearningPolicyTests
{
    private static readonly LearningOptions Options = new() { MinNewExamples = 100, CpuSecondsPerHour = 60, MaxInferenceP99Ms = 20, MinImprovement = 0.02 };

    [Theory]
    [InlineData(null, true, 500, 0, LearningCode.NotServing)]
    [InlineData(3L, false, 500, 0, LearningCode.NotTrainable)]
    [InlineData(3L, true, 99, 0, LearningCode.CollectingExamples)]
    [InlineData(3L, true, 100, 60, LearningCode.CpuBudgetSpent)]
    [InlineData(3L, true, 100, 59.9, LearningCode.Train)]
    public void Decide_ByState(long? version, bool trainable, long newExamples, double cpuSeconds, LearningCode expected) =>
        Assert.Equal(expected, LearningPolicy.Decide(new LearningState(version, trainable, newExamples, TimeSpan.FromSeconds(cpuSeconds)), Options));

    [Theory]
    [InlineData(1, 1.0, 0, StepGate.InferenceQueued)]
    [InlineData(0, 25.0, 0, StepGate.LatencyAboveBound)]
    [InlineData(0, 5.0, 61, StepGate.CpuBudgetSpent)]
    [InlineData(0, 5.0, 10, StepGate.Go)]
    public void MayStep_ServingGoesFirst(long queued, double p99, double cpuSeconds, StepGate expected) =>
        Assert.Equal(expected, LearningPolicy.MayStep(new InferenceLoad(queued, p99), TimeSpan.FromSeconds(cpuSeconds), Options));

    [Fact]
    public void MayStep_BeforeAnyLatency_Goes() =>
        Assert.Equal(StepGate.Go, LearningPolicy.MayStep(new InferenceLoad(0, null), TimeSpan.Zero, Options));

    [Theory]
    [InlineData(1.0, 0.97, true)]
    [InlineData(1.0, 0.985, false)]
    [InlineData(1.0, double.NaN, false)]
    public void Accept_OnlyClearlyBetter(double serving, double candidate, bool expected) =>
        Assert.Equal(expected, LearningPolicy.Accept(serving, candidate, Options));

    [Fact]
    public void CpuBudgetLedger_CountsOnlyTheLastHour()
    {
        var ledger = new CpuBudgetLedger();
        var t = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        ledger.Record(t, TimeSpan.FromSeconds(30));
        ledger.Record(t.AddMinutes(30), TimeSpan.FromSeconds(20));

        Assert.Equal(TimeSpan.FromSeconds(50), ledger.UsedInLastHour(t.AddMinutes(59)));
        Assert.Equal(TimeSpan.FromSeconds(20), ledger.UsedInLastHour(t.AddMinutes(61)));
        Assert.Equal(TimeSpan.Zero, ledger.UsedInLastHour(t.AddHours(2)));
    }

    [Fact]
    public void CpuBudgetLedger_SlicesWithinTenSecondsShareAnEntry_WhichLeavesWithItsLastSlice()
    {
        var ledger = new CpuBudgetLedger();
        var t = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

        // A round's steps: 3,000 slices of 2 ms, 5 ms apart (15 s), then one more slice a minute later.
        for (var i = 0; i < 3000; i++)
        {
            ledger.Record(t.AddMilliseconds(5 * i), TimeSpan.FromMilliseconds(2));
        }

        ledger.Record(t.AddMinutes(1), TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(7), ledger.UsedInLastHour(t.AddMinutes(2)));
        Assert.Equal(TimeSpan.FromSeconds(7), ledger.Total);

        // The first entry (slices 0 s to 9.995 s) leaves the hour with its last slice, the second (10 s to 14.995 s) with its own.
        Assert.Equal(TimeSpan.FromSeconds(7), ledger.UsedInLastHour(t.AddHours(1).AddSeconds(9)));
        Assert.Equal(TimeSpan.FromSeconds(3), ledger.UsedInLastHour(t.AddHours(1).AddSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(1), ledger.UsedInLastHour(t.AddHours(1).AddSeconds(15)));
        Assert.Equal(TimeSpan.Zero, ledger.UsedInLastHour(t.AddHours(1).AddMinutes(1)));
    }

    [Fact]
    public void Options_Check_NamesTheKey()
    {
        Assert.Null(new LearningOptions().Check());
        Assert.Contains("Learning:HoldoutFraction", new LearningOptions { HoldoutFraction = 0.9 }.Check(), StringComparison.Ordinal);
        Assert.Contains("Learning:MinNewExamples", new LearningOptions { MinNewExamples = 1 }.Check(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.05, 0.08, "the tuned one was 60.0% worse on the newest 16 examples (held-out MAE 0.08 against 0.05), more than 1% better needed")]
    [InlineData(0.05, 0.0499, "the tuned one was 0.2% better on the newest 16 examples (held-out MAE 0.05 against 0.05), more than 1% better needed")]
    [InlineData(0.05, 0.05, "the tuned one was no better on the newest 16 examples (held-out MAE 0.05 against 0.05), more than 1% better needed")]
    [InlineData(0.05, double.NaN, "the tuned one's held-out MAE is not a number (training diverged); more than 1% better needed")]
    [InlineData(0.0, 0.0, "its held-out MAE on the newest 16 examples is 0, which no tuned version can beat by a share")]
    public void KeptReason_SaysHowTheTunedVersionComparedInWords(double serving, double candidate, string expected) =>
        Assert.Equal($"kept the serving version: {expected}", LearningPolicy.KeptReason(serving, candidate, 16, new LearningOptions { MinImprovement = 0.01 }));
}
