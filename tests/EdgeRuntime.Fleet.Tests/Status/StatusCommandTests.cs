using System.Text.Json;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Fleet.Tests.Status;

public sealed class StatusCommandTests
{
    private static string StatusJson(string id, DeviceState state, params ModelStatus[] models)
    {
        var now = TimeProvider.System.GetUtcNow();
        var status = new DeviceStatus(id, state, "0.1.0+abcdef0123456789", now.AddMinutes(-5), 300, now, null, models, state == DeviceState.Offline ? "connection-lost" : null);
        return System.Text.Encoding.UTF8.GetString(DeviceStatusJson.Serialize(status));
    }

    private static async Task<EmbeddedMqttBroker> BrokerAsync() =>
        await EmbeddedMqttBroker.StartAsync(FreeTcpPort.Next(), TestLogging.For<EmbeddedMqttBroker>());

    [Fact]
    public async Task Status_TwoDevicesPublishedByAnotherClient_TableListsBoth()
    {
        await using var broker = await BrokerAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/crossing-a/status", StatusJson("crossing-a", DeviceState.Online, new ModelStatus("traffic", 3, ModelPhase.Serving)), retain: true);
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/crossing-b/status", StatusJson("crossing-b", DeviceState.Offline), retain: true);

        var (exit, output, error) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}"], TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("DEVICE", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^crossing-a\s+online\s+0\.1\.0\+abcdef0\s+5m 00s\s+traffic v3 serving\s+\ds ago$", lines[1]);
        Assert.Matches(@"^crossing-b\s+offline \(connection lost\)\s+0\.1\.0\+abcdef0\s+-\s+-\s+\ds ago$", lines[2]);
    }

    [Fact]
    public async Task Status_NoDevices_SaysSo()
    {
        await using var broker = await BrokerAsync();
        var (exit, output, _) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}", "--wait", "1"], TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.Equal("No devices have reported a status yet.\n", output);
    }

    [Fact]
    public async Task Status_Json_ArrayOfTheDocumentsAsPublished()
    {
        await using var broker = await BrokerAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/d1/status", StatusJson("d1", DeviceState.Online), retain: true);

        var (exit, output, _) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(output);
        var device = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal("d1", device.GetProperty("deviceId").GetString());
        Assert.Equal("online", device.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Status_UnreadablePayload_ShownAsInvalidNotCrash()
    {
        await using var broker = await BrokerAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/broken/status", "this is not json", retain: true);

        var (exit, output, _) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}"], TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Matches(@"broken\s+invalid\s+-\s+-\s+unreadable status: ", output);
    }

    [Fact]
    public async Task Status_BrokerUnreachable_OneLineErrorAndExitOne()
    {
        var (exit, output, error) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{FreeTcpPort.Next()}", "--connect-timeout", "1"], TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Matches(@"^edgectl status: cannot reach the broker mqtt://127\.0\.0\.1:\d+: .+\n$", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Status_BadBrokerAddress_NamesTheOption()
    {
        var (exit, _, error) = await Edgectl.RunAsync(["status", "--broker", "amqp://x"], TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.StartsWith("edgectl status: --broker: 'amqp://x' has an unknown scheme 'amqp'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Watch_PrintsAgainWhenADeviceChanges()
    {
        await using var broker = await BrokerAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/d1/status", StatusJson("d1", DeviceState.Online), retain: true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var output = new SynchronizedStringWriter();
        var run = Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}", "--watch"], stop.Token, output);
        await Eventually.TrueAsync(() => output.ToString().Contains("d1", StringComparison.Ordinal), "the first table");

        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/d1/status", StatusJson("d1", DeviceState.Offline), retain: true);

        await Eventually.TrueAsync(() => output.ToString().Contains("offline (connection lost)", StringComparison.Ordinal), "a second table showing the device offline");
        await stop.CancelAsync();
        var (exit, _, _) = await run;
        Assert.Equal(0, exit);
        Assert.Contains("--- ", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("status", "--help")]
    public async Task Help_EveryVerb_DescribesItself(params string[] args)
    {
        var (exit, output, _) = await Edgectl.RunAsync(args, TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains(args.Length == 1 ? "status" : "--broker", output, StringComparison.Ordinal);
    }
}
