using System.Globalization;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// Ten messages far over the maximum packet size on the topics a device listens to (commands, manifests, chunks), from
/// an independent client: on the embedded broker the broker refuses each one from its header, before reading or
/// allocating it; on Mosquitto the daemon's announced Maximum Packet Size makes Mosquitto drop them instead of
/// delivering them. Either way the daemon's memory stays where it was and it keeps answering.
/// </summary>
public sealed class OversizedMessageTests : IDisposable
{
    private const int Messages = 10;
    private const long OversizedBytes = 64L << 20;
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-oversized-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task TenOversizedMessages_NeverAllocated_MemoryWithinTenPercent_DaemonKeepsAnswering(string brokerKind)
    {
        var settings = new Dictionary<string, string?>
        {
            ["EDGE_Pipelines__0__Enabled"] = "false",
            ["EDGE_Metrics__Prometheus__Enabled"] = "true",
        };
        await using var mosquitto = brokerKind == "mosquitto" ? await MosquittoBroker.StartAsync() : null;
        if (mosquitto is not null)
        {
            settings["EDGE_Mqtt__Server"] = mosquitto.Address;
        }

        var (started, ports) = await DaemonProcess.StartListeningAsync(settings, mosquitto is null ? ["EDGE_Metrics__Prometheus__Port", "EDGE_Mqtt__EmbeddedPort"] : ["EDGE_Metrics__Prometheus__Port"]);
        await using var daemon = started;
        Assert.False(daemon.Process.HasExited, $"the daemon exited at start:\n{daemon.Process.DescribeOutput()}");
        var metricsPort = ports["EDGE_Metrics__Prometheus__Port"];
        var port = mosquitto?.Port ?? ports["EDGE_Mqtt__EmbeddedPort"];
        var login = mosquitto is null ? daemon.Login : null;
        await using var statuses = await MosquittoSubscriber.StartAsync(port, login, daemon.StatusTopic);
        await statuses.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "online");

        var oversized = Path.Combine(_folder, "oversized.bin");
        await using (var file = File.Create(oversized))
        {
            file.SetLength(OversizedBytes);
        }

        // Warm up every path the flood and the checks after it take — a command answered, one oversized message refused,
        // a scrape — so the first use's code and buffers are in the baseline and what is measured is what the messages cost.
        string[] topics = [$"edge/devices/{daemon.DeviceId}/cmd/deploy", "edge/models/traffic-forecast/manifest", "edge/models/traffic-forecast/7/chunks/0"];
        await AnswersACommandAsync(daemon, port, login, "before");
        await PublishOversizedAsync(port, topics[0], oversized, login, refusedByBroker: mosquitto is null);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var allocatedBefore = await AllocatedBytesAsync(http, metricsPort);
        var residentBefore = ResidentBytes(daemon);

        for (var i = 0; i < Messages; i++)
        {
            await PublishOversizedAsync(port, topics[i % topics.Length], oversized, login, refusedByBroker: mosquitto is null);
        }

        var residentAfter = ResidentBytes(daemon);
        var allocated = await AllocatedBytesAsync(http, metricsPort) - allocatedBefore;
        await AnswersACommandAsync(daemon, port, login, "after");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{brokerKind}: resident {residentBefore / 1e6:F1} MB before, {residentAfter / 1e6:F1} MB after {Messages} messages of {OversizedBytes / 1e6:F0} MB; managed allocations meanwhile {allocated / 1e6:F1} MB");

        Assert.True(allocated < OversizedBytes, $"the daemon allocated {allocated} bytes while {Messages} messages of {OversizedBytes} bytes were sent");
        Assert.InRange(residentAfter, residentBefore * 0.9, residentBefore * 1.1);
        Assert.False(daemon.Process.HasExited);
        Assert.Single(daemon.Process.StandardOutput, l => l.Contains("MQTT connected", StringComparison.Ordinal));
        if (mosquitto is null)
        {
            // One line per refused message (the warm-up's included), with the code.
            Assert.Equal(Messages + 1, daemon.Process.StandardOutput.Count(l => l.Contains("refused a packet of", StringComparison.Ordinal) && l.Contains("(packet-too-large)", StringComparison.Ordinal)));
        }
        else
        {
            // Mosquitto's own log: the messages on topics the daemon subscribes to (commands, manifests) were not sent to it.
            var subscribed = Enumerable.Range(0, Messages).Count(i => i % topics.Length != 2) + 1;
            var dropped = mosquitto.ReadLog().Split('\n').Count(l => l.Contains($"Dropping too large outgoing PUBLISH for {daemon.ClientId}", StringComparison.Ordinal));
            Assert.Equal(subscribed, dropped);
        }
    }

    private static async Task PublishOversizedAsync(int port, string topic, string file, MqttLogin? login, bool refusedByBroker)
    {
        // MQTT 3.1.1: mosquitto_pub does not learn a broker's limit, so it sends the whole message as an attacker would.
        var (exit, output) = await MosquittoPublisher.TryPublishAsync(port, topic, ["-V", "mqttv311", "-f", file], login: login);
        Assert.True(!refusedByBroker || exit != 0, $"the embedded broker took a {OversizedBytes}-byte message: {output}");
    }

    /// <summary>An unsigned command with a response topic gets its refusal as a reply: the daemon reads and answers commands.</summary>
    private static async Task AnswersACommandAsync(DaemonProcess daemon, int port, MqttLogin? login, string requester)
    {
        var replyTopic = $"edge/devices/{daemon.DeviceId}/replies/{requester}";
        await using var replies = await MosquittoSubscriber.StartAsync(port, login, replyTopic);
        var (exit, output) = await MosquittoPublisher.TryPublishAsync(
            port,
            $"edge/devices/{daemon.DeviceId}/cmd/deploy",
            ["-m", "not a signed command", "-D", "publish", "response-topic", replyTopic],
            login: login);
        Assert.True(exit == 0, output);
        await replies.WaitForAsync(m => m.Topic == replyTopic && m.Payload.Contains("\"code\":\"malformed\"", StringComparison.Ordinal), $"the daemon's answer ({requester})", TimeSpan.FromSeconds(20));
    }

    private static long ResidentBytes(DaemonProcess daemon) =>
        File.ReadLines($"/proc/{daemon.Process.Id}/status")
            .Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
            .First();

    private static async Task<double> AllocatedBytesAsync(HttpClient http, int port)
    {
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), TestContext.Current.CancellationToken);
        return PrometheusText.Parse(text).First(s => s.Name == "dotnet_gc_heap_total_allocated_bytes_total").Value;
    }
}
