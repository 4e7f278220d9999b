namespace EdgeRuntime.Worker.Metrics;

/// <summary>
/// Where the daemon's metrics go (section <c>Metrics</c>). Both exporters are off by default: a device opens no
/// port and sends nothing it was not asked to, and two daemons on one host (tests, side-by-side versions) would
/// fight over a fixed port. The health probe does not need either (<c>edge-runtime health</c> reads a file).
/// </summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Metrics";

    /// <summary>Prometheus scrape endpoint.</summary>
    public PrometheusOptions Prometheus { get; set; } = new();

    /// <summary>OTLP push exporter.</summary>
    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>A Prometheus text-format endpoint at <c>http://127.0.0.1:{Port}/metrics</c>.</summary>
public sealed class PrometheusOptions
{
    /// <summary>Serve the endpoint. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Port on 127.0.0.1 (loopback only: a local agent scrapes it). Default 9464, OpenTelemetry's Prometheus port.</summary>
    public int Port { get; set; } = 9464;
}

/// <summary>Pushes metrics over OTLP to a collector.</summary>
public sealed class OtlpOptions
{
    /// <summary>Collector URL, e.g. <c>http://collector:4317</c> (gRPC) or <c>http://collector:4318/v1/metrics</c> (HTTP). Empty: off.</summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary><c>Grpc</c> (default) or <c>HttpProtobuf</c>.</summary>
    public string Protocol { get; set; } = "Grpc";

    /// <summary>Seconds between exports. Default 60.</summary>
    public int ExportIntervalSeconds { get; set; } = 60;
}
