using System.Text.Json;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>The default configuration's main job, end to end, watched by an independent MQTT client.</summary>
public sealed class MainJobTests
{
    [Fact]
    public async Task DefaultConfig_SimulatedIntersection_PublishesForecastsAtTheIntervalRate()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,

            // The shipped pipeline with 2 s intervals (10 s in the file) on a Monday morning peak, so the test is short and busy.
            ["EDGE_Pipelines__0__Sources__0__Loops__Interval"] = "00:00:02",
            ["EDGE_Pipelines__0__Sources__0__Loops__Settle"] = "00:00:00.500",
            ["EDGE_Pipelines__0__Sources__0__Simulation__StartAt"] = "2026-01-05T07:45:00+00:00",
        };
        await using var daemon = DaemonProcess.Start(settings);
        await using var results = await MosquittoSubscriber.StartAsync(broker.Port, $"edge/devices/{daemon.DeviceId}/results/traffic");
        await using var status = await MosquittoSubscriber.StartAsync(broker.Port, daemon.StatusTopic);

        // Five intervals of four lanes after the model came up.
        await Eventually.TrueAsync(() => Parsed(results).Select(r => Start(r)).Distinct().Count() >= 6, "six intervals of results", TimeSpan.FromSeconds(60));
        var all = Parsed(results);
        var lanes = all.Select(r => r.GetProperty("stream").GetString()).Distinct().Order().ToList();
        Assert.Equal(["north-1", "north-2", "south-1", "south-2"], lanes);

        // Complete intervals only (the last may still be arriving): each has one result per lane, consecutive, 2 s long.
        var intervals = all.GroupBy(Start).OrderBy(g => g.Key).SkipLast(1).ToList();
        Assert.True(intervals.Count >= 5);
        for (var i = 0; i < intervals.Count; i++)
        {
            Assert.Equal(lanes, intervals[i].Select(r => r.GetProperty("stream").GetString()).Order().ToList());
            if (i > 0)
            {
                Assert.Equal(TimeSpan.FromSeconds(2), intervals[i].Key - intervals[i - 1].Key);
            }
        }

        foreach (var result in intervals.SelectMany(g => g))
        {
            Assert.Equal("traffic-forecast", result.GetProperty("model").GetProperty("name").GetString());
            Assert.Equal(0, result.GetProperty("model").GetProperty("version").GetInt64());
            var interval = result.GetProperty("interval");
            Assert.Equal(2.0, interval.GetProperty("seconds").GetDouble());
            Assert.Equal(interval.GetProperty("end").GetDateTimeOffset(), result.GetProperty("forecast").GetProperty("start").GetDateTimeOffset());
            Assert.InRange(result.GetProperty("latencyMs").GetDouble(), 0, 5000);
            Assert.True(result.GetProperty("observed").GetProperty("count").GetDouble() >= 0);
        }

        // Peak-hour traffic reached the loops and was counted.
        Assert.True(intervals.SelectMany(g => g).Sum(r => r.GetProperty("observed").GetProperty("count").GetDouble()) > 0);
        var running = await status.WaitForAsync(m => DaemonProcess.Parse(m).Pipelines?.Any(p => p.Name == "traffic" && p.State == "running") == true, "the pipeline running in the status");
        Assert.Equal(DeviceState.Online, DaemonProcess.Parse(running).State);
    }

    [Fact]
    public async Task MalformedRecording_ThatPipelineFailsWithTheReason_TheDaemonAndTheMainJobGoOn()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var folder = Directory.CreateTempSubdirectory("edge-recording-").FullName;
        var recording = Path.Combine(folder, "loops.csv");
        await File.WriteAllLinesAsync(recording, ["s1,s2", "60,61", "59"], TestContext.Current.CancellationToken);
        var settings = new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,
            ["EDGE_Pipelines__1__Name"] = "replayed",
            ["EDGE_Pipelines__1__Sources__0__Type"] = "Replay",
            ["EDGE_Pipelines__1__Sources__0__Replay__File"] = recording,
            ["EDGE_Pipelines__1__Model__Name"] = "la-speed",
        };
        await using var daemon = DaemonProcess.Start(settings);
        await using var status = await MosquittoSubscriber.StartAsync(broker.Port, daemon.StatusTopic);

        var failed = await status.WaitForAsync(
            m => DaemonProcess.Parse(m).Pipelines?.Any(p => p.Name == "replayed" && p.State.StartsWith("failed: source:", StringComparison.Ordinal)) == true,
            "the replay pipeline reported failed");
        var replayed = DaemonProcess.Parse(failed).Pipelines!.Single(p => p.Name == "replayed");
        Assert.Contains("loops.csv:3", replayed.State, StringComparison.Ordinal);
        await status.WaitForAsync(m => DaemonProcess.Parse(m).Pipelines?.Any(p => p.Name == "traffic" && p.State == "running") == true, "the main job running beside it");
        Assert.False(daemon.Process.HasExited);
        Directory.Delete(folder, recursive: true);
    }

    private static List<JsonElement> Parsed(MosquittoSubscriber subscriber) =>
        [.. subscriber.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement.Clone())];

    private static DateTimeOffset Start(JsonElement result) => result.GetProperty("interval").GetProperty("start").GetDateTimeOffset();
}
