using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Identity;

namespace EdgeRuntime.Messaging.Tests.Identity;

public sealed class TakeoverRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly ClientIdConflictOptions Options = new() { Takeovers = 3, WindowSeconds = 60, BackOffSeconds = 30, MaxBackOffSeconds = 600 };

    private static TakeoverHistory After(params double[] seconds) =>
        seconds.Aggregate(TakeoverHistory.None, (history, s) => TakeoverRules.Record(history, T0.AddSeconds(s), Options));

    [Fact]
    public void Record_FewerThanTheThresholdWithinTheWindow_NoConflictNoBackOff()
    {
        var history = After(0, 0.25);

        Assert.False(history.InConflict);
        Assert.Null(TakeoverRules.BackOff(history, Options));
        Assert.Equal(2, history.Total);
    }

    [Fact]
    public void Record_ThresholdWithinTheWindow_ConflictFromThatTakeover_AnsweredAtOnceSoTheOtherSideCountsItsOwn()
    {
        // Two devices with one id take the connection from each other about four times a second.
        var history = After(0, 0.25, 0.5);

        Assert.True(history.InConflict);
        Assert.Equal(T0.AddSeconds(0.5), history.ConflictSince);
        Assert.Equal(TimeSpan.Zero, TakeoverRules.BackOff(history, Options));
        Assert.Equal(TimeSpan.FromSeconds(30), TakeoverRules.BackOff(TakeoverRules.Record(history, T0.AddSeconds(0.75), Options), Options));
    }

    [Fact]
    public void Record_SameCountSpreadOverMoreThanTheWindow_NoConflict()
    {
        // A daemon restarted now and then before its broker noticed the old connection gone: one takeover each time.
        var history = After(0, 61, 122, 183);

        Assert.False(history.InConflict);
        Assert.Single(history.Recent);
        Assert.Equal(4, history.Total);
    }

    [Fact]
    public void BackOff_DoublesWithEachFurtherTakeover_UpToTheMaximum()
    {
        var history = After(0, 0.25, 0.5);
        var waits = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            waits.Add(TakeoverRules.BackOff(history, Options)!.Value.TotalSeconds);
            history = TakeoverRules.Record(history, T0.AddMinutes(i + 1), Options);
        }

        Assert.Equal([0, 30, 60, 120, 240, 480, 600, 600], waits);
    }

    [Fact]
    public void BackOff_ThinsTheTakeoversOut_ConflictStaysUntilAConnectionLastsAWindow()
    {
        // In a conflict the takeovers come one per back-off, fewer than the threshold per window: still a conflict.
        var history = After(0, 0.25, 0.5, 30.5, 91, 212);
        Assert.True(history.InConflict);

        var shortConnection = TakeoverRules.Settle(history, connectedAt: T0.AddSeconds(213), now: T0.AddSeconds(250), Options);
        Assert.True(shortConnection.InConflict);

        var held = TakeoverRules.Settle(history, connectedAt: T0.AddSeconds(213), now: T0.AddSeconds(273), Options);
        Assert.False(held.InConflict);
        Assert.Null(TakeoverRules.BackOff(held, Options));
        Assert.Empty(held.Recent);
        Assert.Equal(history.Total, held.Total);
    }

    [Fact]
    public void Settle_NoTakeovers_Unchanged()
    {
        Assert.Same(TakeoverHistory.None, TakeoverRules.Settle(TakeoverHistory.None, T0, T0.AddHours(1), Options));
    }
}
