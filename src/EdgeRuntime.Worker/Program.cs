using EdgeRuntime.Core;
using EdgeRuntime.Worker;
using EdgeRuntime.Worker.Health;
using EdgeRuntime.Worker.Hosting;
using EdgeRuntime.Worker.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Exit codes: 0 clean stop, 2 configuration error, 1 any other failure to start or run.
const int ConfigurationError = 2;
const int Failure = 1;

if (args is ["preflight", var modelPath, ..])
{
    // The child process of a model's pre-flight: it loads the model where a crash costs nothing but itself.
    var runs = args is [_, _, "--runs", var count, ..] && int.TryParse(count, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : 2;
    return EdgeRuntime.Inference.Preflight.PreflightCheck.Run(modelPath, runs, Console.Out);
}

// Asking for help or the version must never start the daemon (and its broker on 1883, with the service's client id).
if (args.Any(a => a is "--help" or "-h" or "-?" or "help"))
{
    await Console.Out.WriteAsync(DaemonUsage.Text);
    return 0;
}

if (args.Any(a => a is "--version" or "version"))
{
    await Console.Out.WriteLineAsync($"edge-runtime {RuntimeVersion.Current}");
    return 0;
}

var probe = args is ["health", ..];
var settings = probe ? args[1..] : args;
IHost host;
HostApplicationBuilder? builder = null;
try
{
    builder = EdgeRuntimeHost.CreateBuilder(settings);

    // A misspelt key would otherwise be ignored and the device run on defaults (its own broker, online to nobody).
    var unknown = EdgeRuntimeHost.UnknownConfigurationKeys(builder);
    if (unknown.Count > 0)
    {
        foreach (var problem in unknown)
        {
            await Console.Error.WriteLineAsync($"edge-runtime: configuration error: {problem}");
        }

        return ConfigurationError;
    }

    host = builder.Build();

    // Validate every option before anything starts or connects, so a bad value costs one line, not a stack trace.
    host.Services.GetRequiredService<IStartupValidator>().Validate();
}
catch (OptionsValidationException ex)
{
    foreach (var failure in ex.Failures)
    {
        await Console.Error.WriteLineAsync($"edge-runtime: configuration error: {(builder is null ? failure : EdgeRuntimeHost.WithOrigin(builder, failure))}");
    }

    return ConfigurationError;
}
catch (InvalidOperationException ex) when (PrometheusEndpointFailure.Describe(ex, PrometheusPort(builder)) is { } reason)
{
    // The Prometheus endpoint starts listening while the options are validated; its port is taken or not allowed.
    await Console.Error.WriteLineAsync($"edge-runtime: cannot start: {reason}");
    return Failure;
}
catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or DirectoryNotFoundException or StartupException)
{
    // Configuration binding ("Failed to convert configuration value 'x' at 'Mqtt:EmbeddedPort'…"), unreadable JSON files.
    await Console.Error.WriteLineAsync($"edge-runtime: configuration error: {OneLine(ex)}");
    return ConfigurationError;
}

if (probe)
{
    // `edge-runtime health`: Docker's HEALTHCHECK and Kubernetes exec probes; reads what the running daemon wrote.
    using (host)
    {
        return await HealthProbe.RunAsync(host.Services, Console.Out);
    }
}

try
{
    await host.RunAsync();
    return 0;
}
catch (StartupException ex)
{
    // RunAsync has disposed the host already.
    await Console.Error.WriteLineAsync($"edge-runtime: cannot start: {ex.Message}");
    return Failure;
}
catch (Exception ex) when (PrometheusEndpointFailure.Describe(ex, PrometheusPort(builder)) is { } reason)
{
    await Console.Error.WriteLineAsync($"edge-runtime: cannot start: {reason}");
    return Failure;
}

static int PrometheusPort(HostApplicationBuilder? builder) =>
    builder?.Configuration.GetValue<int?>("Metrics:Prometheus:Port") ?? new PrometheusOptions().Port;

static string OneLine(Exception ex)
{
    var message = ex.InnerException is FormatException or System.Text.Json.JsonException ? $"{ex.Message} {ex.InnerException.Message}" : ex.Message;
    return message.ReplaceLineEndings(" ");
}
