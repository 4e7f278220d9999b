using System.Text;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Presence;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Messaging.Tests.Presence;

public sealed class DevicePresenceTests
{
    private static readonly MqttTopics Topics = new();

    private static DeviceStatus Parse(ObservedMessage message) =>
        DeviceStatusJson.TryParse(Encoding.UTF8.GetBytes(message.Payload), out var error) ?? throw new InvalidOperationException(error);

    private static (MqttConnectionSupervisor Supervisor, DevicePresence Presence, ModelStatusBoard Models) Create(string server, string deviceId)
    {
        var identity = DeviceIdentity.Create(deviceId, TimeProvider.System);
        var supervisor = TestSupervisors.Create(server, $"edge-runtime-{deviceId}", DevicePresence.CreateLastWill(Topics, identity));
        var models = new ModelStatusBoard();
        var presence = new DevicePresence(supervisor, Topics, identity, models, TimeProvider.System, TestLogging.For<DevicePresence>());
        presence.Start();
        supervisor.Start();
        return (supervisor, presence, models);
    }

    [Fact]
    public async Task Start_Connected_RetainedOnlineStatusSeenByLateSubscriber()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var (supervisor, presence, _) = Create(broker.Address, "dev-online");
        await using var _supervisor = supervisor;
        using var _presence = presence;
        await Eventually.TrueAsync(() => supervisor.Statistics is { IsConnected: true, Queued: 0, Acknowledged: > 0 }, "the status to be acknowledged");

        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, Topics.AllDeviceStatuses);
        var message = await observer.WaitForAsync(m => m.Topic == "edge/devices/dev-online/status", "the retained status");

        var status = Parse(message);
        Assert.Equal(DeviceState.Online, status.State);
        Assert.Equal("dev-online", status.DeviceId);
        Assert.NotNull(status.Host);
        Assert.Empty(status.Models);
    }

    [Fact]
    public async Task ConnectionDropsUncleanly_LastWillSaysOfflineThenReconnectSaysOnline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var proxy = TcpFaultProxy.Start(broker.Port);
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, Topics.AllDeviceStatuses);
        var (supervisor, presence, _) = Create(proxy.Address, "dev-will");
        await using var _supervisor = supervisor;
        using var _presence = presence;
        await observer.WaitForAsync(m => m.Topic.Contains("dev-will", StringComparison.Ordinal) && Parse(m).State == DeviceState.Online, "online");
        observer.Clear();

        proxy.DropAllConnections();

        var will = await observer.WaitForAsync(m => Parse(m).State == DeviceState.Offline, "the last will");
        Assert.Equal("connection-lost", Parse(will).Reason);
        await observer.WaitForAsync(m => Parse(m).State == DeviceState.Online, "online again after the reconnect");
    }

    [Fact]
    public async Task ModelStateChanges_StatusRepublishedWithModel()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, Topics.AllDeviceStatuses);
        var (supervisor, presence, models) = Create(broker.Address, "dev-models");
        await using var _supervisor = supervisor;
        using var _presence = presence;
        await observer.WaitForAsync(m => Parse(m).State == DeviceState.Online, "online");

        models.Report(new ModelStatus("traffic-forecast", 4, ModelPhase.Downloading, "chunks 3/10"));

        var update = await observer.WaitForAsync(m => Parse(m).Models.Count == 1, "a status listing the model");
        var model = Assert.Single(Parse(update).Models);
        Assert.Equal(("traffic-forecast", 4L, ModelPhase.Downloading, "chunks 3/10"), (model.Name, model.Version, model.Phase, model.Detail));
    }

    [Fact]
    public async Task PublishOffline_CleanStop_RetainedOfflineWithShutdownReason()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var (supervisor, presence, models) = Create(broker.Address, "dev-stop");
        await supervisor.WaitUntilConnectedAsync(TestContext.Current.CancellationToken);

        await Eventually.CompletesAsync(presence.PublishOfflineAsync(), "the offline status");
        models.Report(new ModelStatus("late", 1, ModelPhase.Serving));
        await supervisor.StopAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        presence.Dispose();
        await supervisor.DisposeAsync();

        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, Topics.AllDeviceStatuses);
        var message = await observer.WaitForAsync(m => m.Topic.Contains("dev-stop", StringComparison.Ordinal), "the retained status");
        var status = Parse(message);
        Assert.Equal(DeviceState.Offline, status.State);
        Assert.Equal("shutdown", status.Reason);
        Assert.Empty(status.Models);
    }
}
