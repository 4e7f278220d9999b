using EdgeRuntime.Core;
using EdgeRuntime.Delivery.Agent;
using EdgeRuntime.Pipelines.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EdgeRuntime.Worker.Metrics;

/// <summary>
/// Registers the daemon's metrics: its own instruments (<see cref="DaemonInstruments"/>), the pipelines' and
/// delivery's meters, and .NET's process and runtime meter (<c>System.Runtime</c>: CPU time, working set, GC, thread
/// pool), exported through OpenTelemetry to a Prometheus scrape endpoint and/or an OTLP collector when configured.
/// </summary>
internal static class MetricsServices
{
    /// <summary>Meters every exporter collects.</summary>
    public static readonly string[] Meters = [DaemonInstruments.MeterName, PipelineInstruments.MeterName, DeliveryInstruments.MeterName, "System.Runtime"];

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<DaemonInstruments>();

        // The exporters are chosen from configuration when the host is built; a value that does not bind is reported by
        // the options validation at start (this reads it leniently, so that validation gets to say so in one line).
        var options = new MetricsOptions();
        try
        {
            configuration.GetSection(MetricsOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException)
        {
            return;
        }

        var prometheus = options.Prometheus is { Enabled: true, Port: >= 1 and <= 65_535 };
        var protocol = default(OtlpExportProtocol);
        var otlp = Uri.TryCreate(options.Otlp.Endpoint, UriKind.Absolute, out var endpoint) && OtlpProtocols.TryParse(options.Otlp.Protocol, out protocol);
        if (!prometheus && !otlp)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("edge-runtime", serviceVersion: RuntimeVersion.Current))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                if (prometheus)
                {
                    metrics.AddPrometheusHttpListener(listener =>
                    {
                        listener.Host = "127.0.0.1";
                        listener.Port = options.Prometheus.Port;
                    });
                }

                if (otlp)
                {
                    var interval = Math.Clamp(options.Otlp.ExportIntervalSeconds, 1, 86_400) * 1000;
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = endpoint!;
                        exporter.Protocol = protocol;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                }
            });

        // The instruments must exist before the first collection.
        services.AddHostedService<InstrumentsActivation>();
    }
}
