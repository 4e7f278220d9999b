using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Core.Tests.Delivery;

/// <summary>Clock sanity from signed times alone: marks, floors and readings, without a clock.</summary>
public sealed class SignedTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_KeepsOnlyTheNewestCreationTime()
    {
        var mark = SignedTime.Observe(null, Now, Now.AddMinutes(10), Now.AddSeconds(2))!;
        Assert.Equal(new SignedTimeMark(Now, TimeSpan.FromMinutes(10), Now.AddSeconds(2)), mark);
        Assert.Null(SignedTime.Observe(mark, Now.AddHours(-1), Now.AddDays(1), Now));
        Assert.Null(SignedTime.Observe(mark, Now, Now.AddDays(1), Now));
        Assert.Equal(Now.AddSeconds(1), SignedTime.Observe(mark, Now.AddSeconds(1), Now.AddDays(1), Now)!.NewestCreatedAt);
    }

    [Fact]
    public void Floor_AndExpiryNow_UseTheNewestSignedTimeWhenTheClockIsBehindIt()
    {
        Assert.Equal(DateTimeOffset.MinValue, SignedTime.Floor(null));
        var mark = new SignedTimeMark(Now, TimeSpan.FromDays(1), Now);
        Assert.Equal(Now, SignedTime.ExpiryNow(Now.AddDays(-365), SignedTime.Floor(mark)));
        Assert.Equal(Now.AddHours(1), SignedTime.ExpiryNow(Now.AddHours(1), SignedTime.Floor(mark)));
    }

    [Fact]
    public void Judge_ClockAYearBehind_IsBehind_WithTheNumbers()
    {
        var reading = SignedTime.Judge(new SignedTimeMark(Now, TimeSpan.FromDays(1), Now.AddDays(-365)), Now.AddDays(-365))!;
        Assert.Equal(ClockState.Behind, reading.State);
        Assert.Equal(TimeSpan.FromDays(365), reading.Offset);
        Assert.Equal("clock behind: the device clock reads 2025-11-27 12:00:00Z, 365 d before the newest signed document (2026-11-27 12:00:00Z); expiry is judged from that document's time until the clock is set", reading.Detail);
    }

    [Fact]
    public void Judge_NewestDocumentAlreadyExpiredOnArrival_IsAhead()
    {
        var reading = SignedTime.Judge(new SignedTimeMark(Now, TimeSpan.FromMinutes(10), Now.AddDays(30)), Now.AddDays(30))!;
        Assert.Equal(ClockState.Ahead, reading.State);
        Assert.Equal(TimeSpan.FromDays(30), reading.Offset);
        Assert.StartsWith("clock ahead: the newest signed document (created 2026-11-27 12:00:00Z, valid 600 s) arrived when the device clock read 2026-12-27 12:00:00Z, 30 d later", reading.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_SkewWithinTheToleranceAndAgeWithinTheWindow_IsOk()
    {
        Assert.Null(SignedTime.Judge(null, Now));
        Assert.Equal(ClockState.Ok, SignedTime.Judge(new SignedTimeMark(Now, TimeSpan.FromMinutes(10), Now.AddSeconds(-30)), Now.AddSeconds(-30))!.State);
        Assert.Equal(ClockState.Ok, SignedTime.Judge(new SignedTimeMark(Now, TimeSpan.FromDays(30), Now.AddDays(20)), Now.AddDays(20))!.State);

        // Time passing after the newest document is not a wrong clock.
        Assert.Equal(ClockState.Ok, SignedTime.Judge(new SignedTimeMark(Now, TimeSpan.FromMinutes(10), Now), Now.AddDays(3))!.State);
    }
}
