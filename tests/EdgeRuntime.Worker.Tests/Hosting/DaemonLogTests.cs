using System.Text.Json;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>What the daemon's log looks like to an operator reading journalctl or docker logs.</summary>
public sealed class DaemonLogTests
{
    [Fact]
    public async Task Log_BrokerUnreachable_OneLinePerAttemptWithoutStackTraces()
    {
        var port = FreeTcpPort.Next();
        await using var daemon = DaemonProcess.Start(new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = $"127.0.0.1:{port}",
            ["EDGE_Pipelines__0__Enabled"] = "false",
            ["EDGE_Logging__Console__FormatterName"] = "json",
        });

        await Eventually.TrueAsync(() => Attempts(daemon).Count >= 4, "four failed connection attempts");

        var attempts = Attempts(daemon);
        Assert.All(attempts, line => Assert.Matches($@"^MQTT broker mqtt://127\.0\.0\.1:{port} not reachable \(attempt \d+: Connection refused\); next try in [\d.]+ s$", line));
        var output = string.Join('\n', daemon.Process.StandardOutput);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Exception\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_JsonFormat_NonAsciiAsWritten()
    {
        await using var broker = await Testing.Mqtt.MosquittoBroker.StartAsync();
        await using var daemon = DaemonProcess.Start(new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,
            ["EDGE_Logging__Console__FormatterName"] = "json",
            ["EDGE_Results__LiveLineSeconds"] = "1",
            ["EDGE_Pipelines__0__Sources__0__Loops__Interval"] = "00:00:01",
            ["EDGE_Pipelines__0__Sources__0__Loops__Settle"] = "00:00:00.200",
        });

        // The live line reads "north-1 0/min → 0.0/min free | …"; JSON logs keep the arrow (and '+') as written.
        await Eventually.TrueAsync(() => daemon.Process.StandardOutput.Any(l => l.Contains("/min →", StringComparison.Ordinal)), "a live line with its arrow", TimeSpan.FromSeconds(60));
        var output = string.Join('\n', daemon.Process.StandardOutput);
        Assert.DoesNotContain("\\u2192", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", output, StringComparison.Ordinal);
    }

    private static List<string> Attempts(DaemonProcess daemon) =>
        [.. daemon.Process.StandardOutput
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("Category").GetString() == "EdgeRuntime.Messaging.Connection.MqttReconnectPipeline")
            .Select(e => e.GetProperty("Message").GetString()!)];
}
