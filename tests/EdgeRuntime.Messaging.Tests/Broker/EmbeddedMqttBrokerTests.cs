using System.Net;
using System.Net.Sockets;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Testing.Mqtt;
using Microsoft.Extensions.Logging.Testing;
using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeRuntime.Messaging.Tests.Broker;

public sealed class EmbeddedMqttBrokerTests
{
    [Fact]
    public async Task StartAsync_PortTaken_ErrorNamesTheSettingAndThePort()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var ex = await Assert.ThrowsAsync<EmbeddedBrokerException>(() => EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>()));

        Assert.StartsWith($"Mqtt:EmbeddedPort: port {port} on 127.0.0.1 is already in use", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Connect_ClientWithoutId_GetsOneAndReceivesRetainedStatus(string protocol)
    {
        var port = FreeTcpPort.Next();
        await using var broker = await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>());
        await using var supervisor = TestSupervisors.Started($"127.0.0.1:{port}");
        await supervisor.PublishAsync(TestSupervisors.Text("edge/devices/d1/status", "{\"state\":\"online\"}", retain: true));

        // mosquitto_sub sends an empty client id unless told one, as a user typing the README's command does.
        await using var observer = await MosquittoSubscriber.StartAsync(port, "edge/devices/+/status", "-V", protocol);

        await observer.WaitForAsync(m => m.Topic == "edge/devices/d1/status", $"the retained status over {protocol}");
    }

    [Fact]
    public async Task Start_OnPortZero_ListensOnThePortItReports_AndAnIndependentClientGetsThrough()
    {
        await using var broker = await EmbeddedMqttBroker.StartAsync(0, TestLogging.For<EmbeddedMqttBroker>());

        Assert.InRange(broker.Port, 1, 65535);
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "test/#");
        await MosquittoPublisher.PublishAsync(broker.Port, "test/zero", "hello");
        await observer.WaitForAsync(m => m.Topic == "test/zero", "the message through the broker the OS gave a port");
    }

    [Fact]
    public async Task Publish_OverTheMaximumPacketSize_RefusedFromItsHeaderWithOneLine_BrokerKeepsServing()
    {
        var port = FreeTcpPort.Next();
        var logger = new FakeLogger<EmbeddedMqttBroker>();
        await using var broker = await EmbeddedMqttBroker.StartAsync(new EmbeddedBrokerSettings(port) { MaxPacketBytes = 64 << 10 }, logger);
        await using var observer = await MosquittoSubscriber.StartAsync(port, "test/#");
        var oversized = Path.Combine(Path.GetTempPath(), $"edge-oversized-{Guid.NewGuid():N}");
        File.WriteAllBytes(oversized, new byte[8 << 20]);
        try
        {
            // MQTT 3.1.1 has no way to learn the limit: mosquitto_pub sends the whole message and the broker cuts it off.
            var (exit, output) = await MosquittoPublisher.TryPublishAsync(port, "test/big", ["-V", "mqttv311", "-f", oversized]);
            Assert.True(exit != 0, $"the broker took an 8 MiB message: {output}");
        }
        finally
        {
            File.Delete(oversized);
        }

        var line = Assert.Single(logger.Collector.GetSnapshot(), r => r.Message.Contains("(packet-too-large)", StringComparison.Ordinal)).Message;
        Assert.Contains($"refused a packet of {(8 << 20) + 1 + 4 + 2 + "test/big".Length + 2}", line, StringComparison.Ordinal);
        Assert.Contains("larger than Mqtt:MaxPacketBytes 65536", line, StringComparison.Ordinal);
        await MosquittoPublisher.PublishAsync(port, "test/small", "still served");
        await observer.WaitForAsync(m => m is { Topic: "test/small", Payload: "still served" }, "a message after the refusal");
        Assert.DoesNotContain(observer.Messages, m => m.Topic == "test/big");
    }

    [Fact]
    public async Task RetainedPublish_BeyondTheRetainedBudget_RefusedWithOneLine_ReplacementsAndDeletionsStillServed()
    {
        var port = FreeTcpPort.Next();
        var logger = new FakeLogger<EmbeddedMqttBroker>();
        await using var broker = await EmbeddedMqttBroker.StartAsync(new EmbeddedBrokerSettings(port) { MaxRetainedBytes = 10_000 }, logger);
        var fourKilobytes = new string('x', 4000);

        foreach (var topic in (string[])["test/a", "test/b", "test/c"])
        {
            await MosquittoPublisher.TryPublishAsync(port, topic, ["-r", "-q", "1", "-m", fourKilobytes]);
        }

        var line = Assert.Single(logger.Collector.GetSnapshot(), r => r.Message.Contains("(quota-exceeded)", StringComparison.Ordinal)).Message;
        Assert.Contains("refused a retained message of 4000 bytes", line, StringComparison.Ordinal);
        Assert.Contains("on test/c", line, StringComparison.Ordinal);
        await using (var late = await MosquittoSubscriber.StartAsync(port, "test/#"))
        {
            await late.WaitForAsync(m => m.Topic == "test/b", "the retained message on test/b");
            await late.WaitForAsync(m => m.Topic == "test/a", "the retained message on test/a");
            Assert.DoesNotContain(late.Messages, m => m.Topic == "test/c");
        }

        // Deleting one (an empty retained message) makes room again.
        await MosquittoPublisher.TryPublishAsync(port, "test/b", ["-r", "-q", "1", "-n"]);
        await MosquittoPublisher.TryPublishAsync(port, "test/c", ["-r", "-q", "1", "-m", fourKilobytes]);
        await using var after = await MosquittoSubscriber.StartAsync(port, "test/#");
        await after.WaitForAsync(m => m.Topic == "test/c", "the retained message on test/c once test/b was deleted");
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Message.Contains("(quota-exceeded)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_MaximumPacketSizeAnnouncedInConnAck()
    {
        var port = FreeTcpPort.Next();
        await using var broker = await EmbeddedMqttBroker.StartAsync(new EmbeddedBrokerSettings(port) { MaxPacketBytes = 300_000 }, TestLogging.For<EmbeddedMqttBroker>());
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500).Build(), TestContext.Current.CancellationToken);

        Assert.Equal(300_000u, result.MaximumPacketSize);
    }

    [Fact]
    public async Task Connect_BrokerWithACredential_LetsInOnlyThatLogin()
    {
        var port = FreeTcpPort.Next();
        var logger = new FakeLogger<EmbeddedMqttBroker>();
        var credential = new BrokerCredential("local", "0123456789abcdef");
        await using var broker = await EmbeddedMqttBroker.StartAsync(new EmbeddedBrokerSettings(port) { Credential = credential }, logger);

        foreach (var login in new MqttLogin?[] { null, new("local", "wrong"), new("someone", credential.Password) })
        {
            var (exit, output) = await MosquittoPublisher.TryPublishAsync(port, "test/x", ["-m", "x"], login: login);
            Assert.True(exit != 0, $"{login} got in: {output}");
        }

        Assert.Equal(3, logger.Collector.GetSnapshot().Count(r => r.Message.Contains("(bad-credential)", StringComparison.Ordinal)));
        var good = new MqttLogin(credential.Username, credential.Password);
        await using var observer = await MosquittoSubscriber.StartAsync(port, good, "test/#");
        await MosquittoPublisher.PublishAsync(port, "test/x", "in", login: good);
        await observer.WaitForAsync(m => m is { Topic: "test/x", Payload: "in" }, "the message of the right login");
    }

    [Fact]
    public async Task Dispose_StopsListening()
    {
        var port = FreeTcpPort.Next();
        var broker = await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>());
        Assert.True(await FreeTcpPort.IsListeningAsync(port));
        await broker.DisposeAsync();
        Assert.False(await FreeTcpPort.IsListeningAsync(port));
    }
}
