using System.Net;
using System.Net.Sockets;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Testing.Mqtt;

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
    public async Task Dispose_StopsListening()
    {
        var port = FreeTcpPort.Next();
        var broker = await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>());
        Assert.True(await FreeTcpPort.IsListeningAsync(port));
        await broker.DisposeAsync();
        Assert.False(await FreeTcpPort.IsListeningAsync(port));
    }
}
