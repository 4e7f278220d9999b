using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeRuntime.Messaging.Broker;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Tests.Broker;

/// <summary>
/// A retained message published while another client subscribes to its topic reaches that client: either live
/// or as the retained copy, never neither. (MQTTnet's server reads the retained store before the new subscription
/// is visible to publishers; a publish in between was lost to the subscriber until the embedded broker ordered the two.)
/// </summary>
public sealed class RetainedSubscribeRaceTests
{
    [Fact]
    public async Task RetainedPublish_RacingASubscribeToItsTopic_ReachesTheSubscriberEveryTime()
    {
        const int Rounds = 1500;
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedMqttBroker.StartAsync(0, TestLogging.For<EmbeddedMqttBroker>());
        var factory = new MqttClientFactory();
        using var publisher = factory.CreateMqttClient();
        using var subscriber = factory.CreateMqttClient();
        var received = new ConcurrentDictionary<string, bool>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received[e.ApplicationMessage.Topic] = true;
            return Task.CompletedTask;
        };
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("race-publisher").Build(), cancellationToken);
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("race-subscriber").Build(), cancellationToken);

        for (var round = 0; round < Rounds; round++)
        {
            var topic = $"race/{round}";
            var publish = Task.Run(() => publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("m").WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken), cancellationToken);
            var subscribe = Task.Run(() => subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken), cancellationToken);
            await Task.WhenAll(publish, subscribe);
        }

        await Eventually.HoldsWithinAsync(() => received.Count == Rounds, TimeSpan.FromSeconds(10));

        var missed = Enumerable.Range(0, Rounds).Select(r => $"race/{r}").Where(t => !received.ContainsKey(t)).ToList();
        Assert.True(missed.Count == 0, $"{missed.Count} of {Rounds} retained messages published during their subscriber's SUBSCRIBE never reached it: {string.Join(", ", missed.Take(10))}");
    }

    /// <summary>
    /// A device's retained last will (its "offline" status) published because its connection dropped, while a watcher
    /// subscribes to its status topic: MQTTnet sends the will after the connection's last packet, outside any packet's
    /// place in the gate, so the connection takes one for it (70-116 of 1,000 rounds were lost before).
    /// </summary>
    [Fact]
    public async Task RetainedWill_RacingASubscribeToItsTopic_ReachesTheSubscriberEveryTime()
    {
        const int Rounds = 500;
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedMqttBroker.StartAsync(0, TestLogging.For<EmbeddedMqttBroker>());
        using var watcher = new MqttClientFactory().CreateMqttClient();
        var received = new ConcurrentDictionary<string, bool>();
        watcher.ApplicationMessageReceivedAsync += e =>
        {
            received[e.ApplicationMessage.Topic] = true;
            return Task.CompletedTask;
        };
        await watcher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("race-watcher").Build(), cancellationToken);

        for (var round = 0; round < Rounds; round++)
        {
            var topic = $"willrace/{round}/status";
            using var device = await ConnectWithRetainedWillAsync(broker.Port, $"race-device-{round}", topic, cancellationToken);
            var drop = Task.Run(device.Close, cancellationToken);
            var subscribe = Task.Run(() => watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken), cancellationToken);
            await Task.WhenAll(drop, subscribe);
        }

        await Eventually.HoldsWithinAsync(() => received.Count == Rounds, TimeSpan.FromSeconds(10));
        var missed = Enumerable.Range(0, Rounds).Select(r => $"willrace/{r}/status").Where(t => !received.ContainsKey(t)).ToList();
        Assert.True(missed.Count == 0, $"{missed.Count} of {Rounds} retained wills published during their watcher's SUBSCRIBE never reached it: {string.Join(", ", missed.Take(10))}");
    }

    /// <summary>An MQTT 3.1.1 CONNECT with a clean session and a QoS 1 retained will "offline", written by hand, so closing the socket drops the connection without DISCONNECT.</summary>
    private static async Task<Socket> ConnectWithRetainedWillAsync(int port, string clientId, string willTopic, CancellationToken cancellationToken)
    {
        var body = new List<byte>();
        void Field(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            body.Add((byte)(bytes.Length >> 8));
            body.Add((byte)bytes.Length);
            body.AddRange(bytes);
        }

        Field("MQTT");
        body.Add(4);

        // Clean session, will, will QoS 1, will retain.
        body.Add(0x02 | 0x04 | 0x08 | 0x20);
        body.Add(0);
        body.Add(60);
        Field(clientId);
        Field(willTopic);
        Field("offline");
        byte[] packet = [0x10, (byte)body.Count, .. body];

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        await socket.SendAsync(packet, cancellationToken);
        var connAck = new byte[4];
        var read = 0;
        while (read < connAck.Length)
        {
            var n = await socket.ReceiveAsync(connAck.AsMemory(read), cancellationToken);
            Assert.True(n > 0, "the broker closed the connection before CONNACK");
            read += n;
        }

        Assert.Equal(0x20, connAck[0]);
        Assert.Equal(0, connAck[3]);
        return socket;
    }
}
