using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>The Prometheus endpoint of a daemon running the main job, scraped and parsed as Prometheus would.</summary>
public sealed class MetricsEndpointTests
{
    /// <summary>The series the README lists, each with the labels that make it useful.</summary>
    public static readonly string[] PipelineSeries =
    [
        "edge_pipeline_fed_total", "edge_pipeline_served_total", "edge_pipeline_dropped_total", "edge_pipeline_rejected_total",
        "edge_pipeline_failed_total", "edge_pipeline_waiting_for_model_total", "edge_pipeline_queue_depth",
    ];

    [Fact]
    public async Task MainJob_PrometheusEnabled_ScrapeHasEveryListedSeries()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,
            ["EDGE_Metrics__Prometheus__Enabled"] = "true",
            ["EDGE_Health__IntervalSeconds"] = "1",
            ["EDGE_Pipelines__0__Sources__0__Loops__Interval"] = "00:00:01",
            ["EDGE_Pipelines__0__Sources__0__Loops__Settle"] = "00:00:00.200",
            ["EDGE_Pipelines__0__Sources__0__Simulation__StartAt"] = "2026-01-05T07:45:00+00:00",
        };
        var (started, ports) = await DaemonProcess.StartListeningAsync(settings, "EDGE_Metrics__Prometheus__Port");
        await using var daemon = started;
        Assert.False(daemon.Process.HasExited, $"the daemon exited at start:\n{daemon.Process.DescribeOutput()}");
        var port = ports["EDGE_Metrics__Prometheus__Port"];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var url = new Uri($"http://127.0.0.1:{port}/metrics");

        IReadOnlyList<PrometheusSample> samples = [];
        await Eventually.TrueAsync(
            () =>
            {
                Assert.False(daemon.Process.HasExited, $"the daemon exited:\n{daemon.Process.DescribeOutput()}");
                try
                {
                    samples = PrometheusText.Parse(http.GetStringAsync(url).GetAwaiter().GetResult());
                }
                catch (HttpRequestException)
                {
                    return false;
                }

                return Value(samples, "edge_pipeline_served_total", "pipeline", "traffic") >= 8 && Value(samples, "edge_health_status") == 2;
            },
            "served results and a healthy daemon in the scrape",
            TimeSpan.FromSeconds(90));

        foreach (var series in PipelineSeries)
        {
            Assert.Contains(samples, s => s.Name == series && s["pipeline"] == "traffic");
        }

        // Latency: a histogram for rate() windows in PromQL, and the daemon's own last-minute percentiles.
        Assert.Contains(samples, s => s.Name == "edge_pipeline_latency_seconds_bucket" && s["pipeline"] == "traffic" && s["le"] == "+Inf" && s.Value >= 8);
        Assert.Contains(samples, s => s.Name == "edge_pipeline_latency_seconds_count" && s["pipeline"] == "traffic");
        var p50 = Value(samples, "edge_pipeline_latency_recent_seconds", "quantile", "0.5");
        var p99 = Value(samples, "edge_pipeline_latency_recent_seconds", "quantile", "0.99");
        Assert.InRange(p50!.Value, 1e-6, 5);
        Assert.InRange(p99!.Value, p50.Value, 5);

        // Model delivery state, the broker connection and its outbox, health, the process.
        Assert.Equal(1, Value(samples, "edge_model_phase", "phase", "serving"));
        Assert.Contains(samples, s => s.Name == "edge_model_serving_version" && s["model"] == "traffic-forecast" && s.Value == 0);
        Assert.Equal(1, Value(samples, "edge_mqtt_connected"));
        Assert.NotNull(Value(samples, "edge_mqtt_outbox_depth"));
        Assert.True(Value(samples, "edge_mqtt_messages_acknowledged_total") > 0);
        Assert.True(Value(samples, "dotnet_process_memory_working_set_bytes") > 10_000_000);
        Assert.Contains(samples, s => s.Name == "dotnet_process_cpu_time_seconds_total");

        // Counters are consistent with each other as the status document's are: every fed sample is accounted for.
        var fed = Value(samples, "edge_pipeline_fed_total", "pipeline", "traffic");
        var served = Value(samples, "edge_pipeline_served_total", "pipeline", "traffic");
        Assert.True(fed >= served, $"fed {fed} < served {served}");
    }

    private static double? Value(IReadOnlyList<PrometheusSample> samples, string name, string? label = null, string? value = null) =>
        samples.FirstOrDefault(s => s.Name == name && (label is null || s[label] == value))?.Value;
}
