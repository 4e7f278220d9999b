using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Presence;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Messaging.Tests.Identity;

/// <summary>
/// Two processes with one device id on a real broker, wired as the daemon wires them (supervisor and presence): each
/// connection takes the other's over until both see the conflict and back off. The embedded broker says "session taken
/// over" (DISCONNECT 0x8E); Mosquitto 2.0.11 just closes the old connection, and the other process's retained status
/// is the sign.
/// </summary>
public sealed class SessionTakeoverTests
{
    private static readonly TimeSpan ObservedFor = TimeSpan.FromSeconds(6);
    private static readonly MqttTopics Topics = new();

    private static (MqttConnectionSupervisor Supervisor, DevicePresence Presence) Process(string server, string deviceId)
    {
        var identity = DeviceIdentity.Create(deviceId, TimeProvider.System);
        var supervisor = TestSupervisors.Create(
            server,
            $"edge-runtime-{deviceId}",
            DevicePresence.CreateLastWill(Topics, identity),
            o => o.Conflict = new ClientIdConflictOptions { Takeovers = 3, WindowSeconds = 60, BackOffSeconds = 1, MaxBackOffSeconds = 2 });
        var presence = new DevicePresence(supervisor, Topics, identity, new ModelStatusBoard(), TimeProvider.System, TestLogging.For<DevicePresence>());
        presence.Start();
        supervisor.Start();
        return (supervisor, presence);
    }

    [Theory]
    [InlineData("mosquitto")]
    [InlineData("embedded")]
    public async Task TwoProcessesWithOneDeviceId_BothSeeAConflict_AndStopTakingTheConnectionBackAtOnce(string brokerKind)
    {
        await using var mosquitto = brokerKind == "mosquitto" ? await MosquittoBroker.StartAsync() : null;
        var port = mosquitto?.Port ?? FreeTcpPort.Next();
        await using var embedded = mosquitto is null ? await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>()) : null;
        var deviceId = $"twin-{Guid.NewGuid():N}"[..16];
        var (one, onePresence) = Process($"127.0.0.1:{port}", deviceId);
        await using var _one = one;
        using var _onePresence = onePresence;
        await one.WaitUntilConnectedAsync(TestContext.Current.CancellationToken);
        var (two, twoPresence) = Process($"127.0.0.1:{port}", deviceId);
        await using var _two = two;
        using var _twoPresence = twoPresence;

        await Eventually.TrueAsync(() => one.Takeovers.InConflict && two.Takeovers.InConflict, "both processes to see the conflict");
        var before = one.Statistics.Connections + two.Statistics.Connections;
        await Task.Delay(ObservedFor, TimeProvider.System, TestContext.Current.CancellationToken);
        var during = one.Statistics.Connections + two.Statistics.Connections - before;

        // Taking the connection back at once makes hundreds here; backing off 1–2 s, each side connects at most once a second.
        TestContext.Current.TestOutputHelper?.WriteLine($"{brokerKind}: {before} connections before both saw the conflict, {during} in {ObservedFor.TotalSeconds:F0} s after");
        Assert.InRange(during, 0, 2 * (int)ObservedFor.TotalSeconds);
        Assert.Equal(DeviceState.Conflict, onePresence.Current(DeviceState.Online).State);
        Assert.Equal($"edge-runtime-{deviceId}", twoPresence.Current(DeviceState.Online).Conflict?.ClientId);
    }
}
