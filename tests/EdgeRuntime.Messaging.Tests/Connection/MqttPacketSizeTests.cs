using System.Collections.Concurrent;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Testing.Mqtt;
using Microsoft.Extensions.Logging.Testing;

namespace EdgeRuntime.Messaging.Tests.Connection;

/// <summary>
/// The client side of the packet limit: the supervisor announces Mqtt:MaxPacketBytes in CONNECT (a compliant broker then
/// never sends more) and refuses, unread, a larger packet from a broker that ignores it.
/// </summary>
public sealed class MqttPacketSizeTests : IDisposable
{
    private const int Limit = 64 << 10;
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-packet-size-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Oversized()
    {
        var path = Path.Combine(_folder, "oversized.bin");
        File.WriteAllBytes(path, new byte[4 << 20]);
        return path;
    }

    private static Task<IAsyncDisposable> CollectAsync(MqttConnectionSupervisor supervisor, ConcurrentQueue<string> topics) =>
        supervisor.SubscribeAsync("test/#", (m, _) =>
        {
            topics.Enqueue(m.Topic);
            return Task.CompletedTask;
        }, cancellationToken: Cancel);

    [Fact]
    public async Task Connect_AnnouncesMaximumPacketSize_MosquittoDropsLargerMessagesInsteadOfSendingThem()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var clientId = $"small-{Guid.NewGuid():N}"[..20];
        await using var supervisor = TestSupervisors.Started(broker.Address, clientId, configure: o => o.MaxPacketBytes = Limit);
        await supervisor.WaitUntilConnectedAsync(Cancel);
        var received = new ConcurrentQueue<string>();
        await using var subscription = await CollectAsync(supervisor, received);

        var (exit, output) = await MosquittoPublisher.TryPublishAsync(broker.Port, "test/big", ["-f", Oversized()]);
        Assert.True(exit == 0, output);
        await MosquittoPublisher.PublishAsync(broker.Port, "test/small", "after");

        await Eventually.TrueAsync(() => received.Contains("test/small"), "the small message");
        Assert.DoesNotContain("test/big", received);
        Assert.Contains($"Dropping too large outgoing PUBLISH for {clientId}", broker.ReadLog(), StringComparison.Ordinal);
        Assert.Equal(1, supervisor.Statistics.Connections);
    }

    [Fact]
    public async Task Receive_BrokerIgnoresTheAnnouncedSize_PacketRefusedUnreadWithOneLine_ConnectionReopened()
    {
        // MQTTnet's server does not honour a client's Maximum Packet Size: a broker allowing 8 MiB forwards 4 MiB.
        var port = FreeTcpPort.Next();
        await using var broker = await EmbeddedMqttBroker.StartAsync(new EmbeddedBrokerSettings(port) { MaxPacketBytes = 8 << 20 }, TestLogging.For<EmbeddedMqttBroker>());
        var logger = new FakeLogger<MqttConnectionSupervisor>();
        await using var supervisor = TestSupervisors.Create($"127.0.0.1:{port}", configure: o => o.MaxPacketBytes = Limit, logger: logger);
        supervisor.Start();
        await supervisor.WaitUntilConnectedAsync(Cancel);
        var received = new ConcurrentQueue<string>();
        await using var subscription = await CollectAsync(supervisor, received);

        // QoS 0: a message the broker will not send again on the next connection.
        var (exit, output) = await MosquittoPublisher.TryPublishAsync(port, "test/big", ["-f", Oversized(), "-q", "0"]);
        Assert.True(exit == 0, output);

        await Eventually.TrueAsync(() => logger.Collector.GetSnapshot().Any(r => r.Message.Contains("(packet-too-large)", StringComparison.Ordinal)), "the refusal line");
        var line = logger.Collector.GetSnapshot().First(r => r.Message.Contains("(packet-too-large)", StringComparison.Ordinal)).Message;
        Assert.Contains($"than the {Limit} this client announced", line, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => supervisor.Statistics is { Connections: >= 2, IsConnected: true }, "a new connection");
        await MosquittoPublisher.PublishAsync(port, "test/small", "after");
        await Eventually.TrueAsync(() => received.Contains("test/small"), "the small message on the new connection");
        Assert.DoesNotContain("test/big", received);
    }

    [Fact]
    public void ClientOptions_CarryTheMaximumPacketSize()
    {
        var options = new MqttOptions { Server = "127.0.0.1:1883", MaxPacketBytes = 300_000 };
        Assert.True(BrokerEndpoint.TryParse(options.Server, out var endpoint, out _));

        Assert.Equal(300_000u, MqttClientOptionsFactory.Create(options, endpoint!, "c", lastWill: null).MaximumPacketSize);
    }
}
