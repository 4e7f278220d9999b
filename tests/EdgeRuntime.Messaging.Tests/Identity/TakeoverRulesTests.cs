using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Identity;

namespace EdgeRuntime.Messaging.Tests.Identity;

public sealed class TakeoverRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly ClientIdConflictOptions Options = new() { Takeovers = 3, WindowSeconds = 60, BackOffSeconds = 30, MaxBackOffSeconds = 600 };

    /// <summary>Takeovers the broker named (MQTT 5 reason 0x8E): each is also a lost connection.</summary>
    private static TakeoverHistory After(params double[] seconds) =>
        seconds.Aggregate(TakeoverHistory.None, (history, s) => Named(history, s));

    private static TakeoverHistory Named(TakeoverHistory history, double seconds) =>
        TakeoverRules.Lost(TakeoverRules.Record(history, T0.AddSeconds(seconds), Options));

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
        Assert.Equal(TimeSpan.FromSeconds(30), TakeoverRules.BackOff(Named(history, 0.75), Options));
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
            history = Named(history, 60 * (i + 1));
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
    public void Lost_ConflictFoundWhileConnected_FirstLossAnsweredAtOnce_ThenTheWaitGrowsWithEachLoss()
    {
        // A broker that names no takeover (Mosquitto 2.0.11): takeovers are counted when the other process's status is
        // seen after a reconnect, which may not happen every time; the connections lost keep the wait growing anyway.
        var history = new[] { 0.0, 0.25, 0.5 }.Aggregate(TakeoverHistory.None, (h, s) => TakeoverRules.Record(h, T0.AddSeconds(s), Options));
        Assert.True(history.InConflict);
        Assert.Equal(TimeSpan.Zero, TakeoverRules.BackOff(history, Options));

        var waits = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            history = TakeoverRules.Lost(history);
            waits.Add(TakeoverRules.BackOff(history, Options)!.Value.TotalSeconds);
        }

        Assert.Equal([0, 30, 60, 120], waits);
        Assert.Equal(3, history.Total);
    }

    [Fact]
    public void Lost_NoConflict_NothingCountedAndNoWait()
    {
        var history = TakeoverRules.Lost(After(0));

        Assert.Equal(0, history.LossesInConflict);
        Assert.Null(TakeoverRules.BackOff(history, Options));
    }

    [Fact]
    public void Settle_NoTakeovers_Unchanged()
    {
        Assert.Same(TakeoverHistory.None, TakeoverRules.Settle(TakeoverHistory.None, T0, T0.AddHours(1), Options));
    }
}
