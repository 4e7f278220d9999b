using EdgeRuntime.Core.Devices;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>The daemon as a process: presence, last will, clean stop, broker restarts — seen by mosquitto_sub.</summary>
public sealed class DaemonLifecycleTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Fact]
    public async Task Start_NoBrokerConfigured_EmbeddedBrokerServesRetainedOnlineStatus()
    {
        var started = TimeProvider.System.GetTimestamp();
        var (running, port) = await DaemonProcess.StartWithEmbeddedBrokerAsync();
        await using var daemon = running;
        Assert.False(daemon.Process.HasExited, daemon.Process.DescribeOutput());

        await using var observer = await MosquittoSubscriber.StartAsync(port, daemon.Login, "edge/devices/+/status");
        var message = await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "the online status");
        TestContext.Current.TestOutputHelper?.WriteLine($"online status seen {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F2} s after the process started");

        var status = DaemonProcess.Parse(message);
        Assert.Equal(daemon.DeviceId, status.DeviceId);
        Assert.Equal(Core.RuntimeVersion.Current, status.RuntimeVersion);
        Assert.NotNull(status.Host);
    }

    [Fact]
    public async Task KillHard_ExternalBroker_LastWillTurnsStatusOffline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/status");
        await using var daemon = DaemonProcess.StartWithBroker(broker.Address);
        await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "online");

        await daemon.Process.KillHardAsync();

        var will = await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Offline), "the last will");
        Assert.Equal("connection-lost", DaemonProcess.Parse(will).Reason);
        await using var late = await MosquittoSubscriber.StartAsync(broker.Port, daemon.StatusTopic);
        var retained = await late.WaitForAsync(_ => true, "the retained status for a late subscriber");
        Assert.Equal(DeviceState.Offline, DaemonProcess.Parse(retained).State);
    }

    [Theory]
    [InlineData(SigInt)]
    [InlineData(SigTerm)]
    public async Task Signal_ExternalBroker_PublishesOfflineAndExitsZero(int signal)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/status");
        await using var daemon = DaemonProcess.StartWithBroker(broker.Address);
        await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "online");

        daemon.Process.Signal(signal);

        Assert.Equal(0, await daemon.Process.WaitForExitAsync());
        var offline = await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Offline), "the offline status");
        Assert.Equal("shutdown", DaemonProcess.Parse(offline).Reason);
        Assert.DoesNotContain(observer.Messages, m => daemon.IsStatus(m, DeviceState.Offline) && DaemonProcess.Parse(m).Reason == "connection-lost");
        Assert.Contains(daemon.Process.StandardOutput, l => l.Contains($"Stopping: published the offline status (reason shutdown) to mqtt://{broker.Address}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigint_EmbeddedBroker_OfflineReachesConnectedObserverAndExitsZero()
    {
        var (running, port) = await DaemonProcess.StartWithEmbeddedBrokerAsync();
        await using var daemon = running;
        Assert.False(daemon.Process.HasExited, daemon.Process.DescribeOutput());
        await using var observer = await MosquittoSubscriber.StartAsync(port, daemon.Login, "edge/devices/+/status");
        await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "online");

        daemon.Process.Signal(SigInt);

        Assert.Equal(0, await daemon.Process.WaitForExitAsync());
        await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Offline), "offline before the embedded broker stopped");
    }

    [Fact]
    public async Task BrokerKilledAndRestarted_DaemonReconnectsAndRepublishesStatus()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var daemon = DaemonProcess.StartWithBroker(broker.Address);
        await using (var observer = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/status"))
        {
            await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "online before the broker dies");
        }

        await broker.KillAsync();
        await broker.RestartAsync();

        // The restarted broker kept nothing (no persistence): a retained online status proves the daemon republished it.
        await using var after = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/status");
        await after.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "the republished online status");
        Assert.False(daemon.Process.HasExited);
    }
}
