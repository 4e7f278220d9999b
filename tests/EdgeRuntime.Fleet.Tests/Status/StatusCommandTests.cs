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
        Assert.Matches(@"^crossing-a\s+online\s+0\.1\.0\+abcdef0\s+5m 00s\s+traffic v3 serving\s+-\s+\ds ago$", lines[1]);
        Assert.Matches(@"^crossing-b\s+offline \(connection lost\)\s+0\.1\.0\+abcdef0\s+-\s+-\s+-\s+\ds ago$", lines[2]);
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
    public async Task Status_TwentyRunsOverASlowLink_NeverMissesALiveDevice()
    {
        // A fleet of 60 retained statuses on Mosquitto, one of them from a device that is online now, seen through a link
        // with 200 ms each way (a subscription's answer takes longer than any fixed quiet period), by 20 runs at once
        // (a loaded machine): every run must list every device.
        await using var broker = await MosquittoBroker.StartAsync();
        for (var i = 0; i < 59; i++)
        {
            await MosquittoPublisher.PublishAsync(broker.Port, $"edge/devices/parked-{i:D2}/status", StatusJson($"parked-{i:D2}", DeviceState.Offline), retain: true);
        }

        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/live-1/status", StatusJson("live-1", DeviceState.Online, new ModelStatus("traffic", 1, ModelPhase.Serving)), retain: true);
        await using var link = TcpFaultProxy.StartSlow(broker.Port, TimeSpan.FromMilliseconds(200));

        var runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Edgectl.RunAsync(["status", "--broker", link.Address, "--wait", "60", "--connect-timeout", "30"], TestContext.Current.CancellationToken)));

        for (var run = 0; run < runs.Length; run++)
        {
            var (exit, output, error) = runs[run];
            Assert.True(exit == 0, error);
            var rows = output.TrimEnd().Split('\n').Skip(1).ToList();
            Assert.True(rows.Count == 60, $"run {run}: {rows.Count} devices listed");
            Assert.Matches(@"^live-1\s+online\s", Assert.Single(rows, r => r.StartsWith("live-1", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Status_OneRun_EndsSoonAfterTheRetainedStatuses()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/d1/status", StatusJson("d1", DeviceState.Online), retain: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (exit, output, _) = await Edgectl.RunAsync(["status", "--broker", broker.Address, "--wait", "30"], TestContext.Current.CancellationToken);

        // The end-of-retained marker ends the wait; --wait is only the upper bound (30 s here).
        Assert.Equal(0, exit);
        Assert.Contains("d1", output, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Status_DocumentsWithMissingOrOddFields_RenderWithQuestionMarks()
    {
        await using var broker = await BrokerAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/empty/status", "{}", retain: true);
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/old/status", """{"deviceId":"old","state":"online"}""", retain: true);
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/odd/status", """{"state":7,"runtimeVersion":null,"uptimeSeconds":"long","models":[{"name":"m"},3],"pipelines":{},"future":{"x":1}}""", retain: true);
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/list/status", "[1,2]", retain: true);
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/good/status", StatusJson("good", DeviceState.Online), retain: true);

        var (exit, output, error) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}"], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        Assert.Empty(error);
        var rows = output.TrimEnd().Split('\n').Skip(1).ToDictionary(r => r.Split(' ')[0], StringComparer.Ordinal);
        Assert.Equal(["empty", "good", "list", "odd", "old"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Matches(@"^empty\s+\?\s+\?\s+-\s+\?\s+-\s+\?$", rows["empty"]);
        Assert.Matches(@"^old\s+online\s+\?\s+\?\s+\?\s+-\s+\?$", rows["old"]);
        Assert.Matches(@"^odd\s+\?\s+\?\s+-\s+m v\? \?\s+-\s+\?$", rows["odd"]);
        Assert.Matches(@"^list\s+invalid\s+-\s+-\s+unreadable status: a JSON array, not an object", rows["list"]);
        Assert.Matches(@"^good\s+online\s+0\.1\.0\+abcdef0\s+5m 00s\s+-\s+-\s+\ds ago$", rows["good"]);
    }

    [Fact]
    public async Task Status_Json_KeepsNonAsciiUnescaped()
    {
        await using var broker = await BrokerAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/d1/status", """{"deviceId":"d1","state":"online","note":"north → south + ü"}""", retain: true);

        var (exit, output, _) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains("north → south + ü", output, StringComparison.Ordinal);
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
