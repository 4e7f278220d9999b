using EdgeRuntime.Messaging.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Metrics;

/// <summary>Checks <see cref="MetricsOptions"/>; each failure names the key, the value and what is allowed.</summary>
/// <param name="mqtt">The broker settings: the embedded broker's port must not be the endpoint's.</param>
internal sealed class MetricsOptionsValidator(IOptions<MqttOptions> mqtt) : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var failures = new List<string>();
        const string Section = MetricsOptions.SectionName;
        if (options.Prometheus.Port is < 1 or > 65_535)
        {
            failures.Add($"{Section}:Prometheus:Port: {options.Prometheus.Port} is out of range; allowed: 1-65535");
        }
        else if (options.Prometheus.Enabled && string.IsNullOrWhiteSpace(mqtt.Value.Server) && mqtt.Value.EmbeddedPort == options.Prometheus.Port)
        {
            // Both listen on 127.0.0.1: whichever started second would fail, and blame "another broker" or "another daemon".
            failures.Add($"{Section}:Prometheus:Port: {options.Prometheus.Port} is also Mqtt:EmbeddedPort, the embedded broker's port; choose another");
        }

        if (options.Otlp.Endpoint.Length > 0 &&
            (!Uri.TryCreate(options.Otlp.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            failures.Add($"{Section}:Otlp:Endpoint: '{options.Otlp.Endpoint}' is not an http:// or https:// URL");
        }

        if (!OtlpProtocols.TryParse(options.Otlp.Protocol, out _))
        {
            failures.Add($"{Section}:Otlp:Protocol: '{options.Otlp.Protocol}' is unknown; allowed: Grpc, HttpProtobuf");
        }

        if (options.Otlp.ExportIntervalSeconds is < 1 or > 86_400)
        {
            failures.Add($"{Section}:Otlp:ExportIntervalSeconds: {options.Otlp.ExportIntervalSeconds} is out of range; allowed: 1-86400");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Parses the OTLP protocol names of <see cref="OtlpOptions.Protocol"/>.</summary>
internal static class OtlpProtocols
{
    public static bool TryParse(string text, out OpenTelemetry.Exporter.OtlpExportProtocol protocol) =>
        Enum.TryParse(text, ignoreCase: true, out protocol) && Enum.IsDefined(protocol);
}
