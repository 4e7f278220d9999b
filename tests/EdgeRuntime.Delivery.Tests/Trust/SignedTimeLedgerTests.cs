using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Tests.Agent;

namespace EdgeRuntime.Delivery.Tests.Trust;

/// <summary>A device whose clock is wrong, against a real broker: its timers run in real time, its clock reads a year off.</summary>
public sealed class SignedTimeLedgerTests : IDisposable
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);
    private readonly SigningKey _key = SigningKey.Create();

    [Fact]
    public async Task ClockAYearBehind_RefusesAnExpiredCommand_OnceANewerSignedDocumentWasSeen_AndSaysSo()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key, device: new RigDevice([], new ShiftedTimeProvider(-Year)));
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);

        // Captured two hours ago, expired an hour ago: by the device's own clock it has a year to run.
        var now = TimeProvider.System.GetUtcNow();
        var stale = FleetCommands.Command(DeviceCommand.Deploy, 1) with { IssuedAt = now.AddHours(-2), ExpiresAt = now.AddHours(-1) };
        var reply = await FleetCommands.SendAsync(rig, stale, _key, seconds: 60);
        Assert.False(reply.Ok);
        Assert.Equal(RefusalCode.Expired, reply.Code);

        var clock = rig.ClockBoard.Snapshot(now - Year)!;
        Assert.Equal("behind", clock.State);
        Assert.InRange(clock.BehindSeconds!.Value, (long)(Year - TimeSpan.FromHours(1)).TotalSeconds, (long)(Year + TimeSpan.FromHours(1)).TotalSeconds);
        Assert.StartsWith("clock behind: the device clock reads", clock.Detail, StringComparison.Ordinal);

        // The floor survives a restart: the device still judges expiry from the newest signed time.
        await rig.RestartDeviceAsync();
        Assert.Equal(RefusalCode.Expired, (await FleetCommands.SendAsync(rig, stale with { Nonce = Guid.NewGuid().ToString("N") }, _key, seconds: 60)).Code);
    }

    [Fact]
    public async Task ClockAYearAhead_RefusesFreshCommandsAsExpired_AndTheStatusSaysTheClockIsAhead()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key, device: new RigDevice([], new ShiftedTimeProvider(Year)));
        var reply = await FleetCommands.SendAsync(rig, FleetCommands.Command(DeviceCommand.Deploy, 0), _key, seconds: 60);
        Assert.Equal(RefusalCode.Expired, reply.Code);

        var clock = rig.ClockBoard.Snapshot(TimeProvider.System.GetUtcNow() + Year)!;
        Assert.Equal("ahead", clock.State);
        Assert.InRange(clock.AheadSeconds!.Value, (long)(Year - TimeSpan.FromHours(1)).TotalSeconds, (long)(Year + TimeSpan.FromHours(1)).TotalSeconds);
        Assert.Contains("set the clock", clock.Detail, StringComparison.Ordinal);
    }

    public void Dispose() => _key.Dispose();
}
