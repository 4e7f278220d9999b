using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Presence;
using EdgeRuntime.Messaging.Topics;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeRuntime.Worker.Configuration;
using EdgeRuntime.Worker.Configuration.Keys;
using EdgeRuntime.Worker.Health;
using EdgeRuntime.Worker.Hosting;
using EdgeRuntime.Worker.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace EdgeRuntime.Worker;

/// <summary>Builds the daemon's host: configuration layers, logging, options validated at start, services.</summary>
public static class EdgeRuntimeHost
{
    /// <summary>Creates the host builder for <paramref name="args"/>; the shipped defaults come from <paramref name="shippedConfigDirectory"/>.</summary>
    public static HostApplicationBuilder CreateBuilder(string[] args, string? shippedConfigDirectory = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "edge-runtime",
        });
        builder.Configuration.AddEdgeRuntimeLayers(args, shippedConfigDirectory ?? Path.Combine(AppContext.BaseDirectory, "configs"));

        ConfigureLogging(builder);
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(TimeProvider.System);
        AddOptions(builder.Services, builder.Configuration);
        AddMessaging(builder.Services);
        DeliveryServices.Add(builder.Services, builder.Configuration);
        PlanningServices.Add(builder.Services);
        KernelServices.Add(builder.Services, builder.Configuration);
        PipelineServices.Add(builder.Services, builder.Configuration);
        LearningServices.Add(builder.Services, builder.Configuration);
        FederatedServices.Add(builder.Services, builder.Configuration);
        OutboxServices.Add(builder.Services);
        HealthServices.Add(builder.Services, builder.Configuration);
        MetricsServices.Add(builder.Services, builder.Configuration);
        AddKnownSections(builder.Services);

        // Start order matters; stop order is the reverse.
        builder.Services.AddHostedService<StateDirectoryService>();
        builder.Services.AddHostedService<EmbeddedBrokerService>();
        builder.Services.AddHostedService<MqttConnectionService>();
        builder.Services.AddHostedService<ModelDeliveryService>();
        builder.Services.AddHostedService<PipelineService>();
        builder.Services.AddHostedService<LearningService>();
        builder.Services.AddHostedService<OutboxUploadService>();
        builder.Services.AddHostedService<DeviceStatusRefreshService>();
        builder.Services.AddHostedService<HealthMonitorService>();
        builder.Services.AddHostedService(sp =>
        {
            var health = sp.GetRequiredService<HealthState>();
            var maxAge = TimeSpan.FromSeconds(3 * sp.GetRequiredService<IOptions<HealthOptions>>().Value.IntervalSeconds);

            // Before the first check the daemon is starting, and alive; after it, only a recent healthy or degraded check counts.
            return new SystemdWatchdog(sp.GetService<ISystemdNotifier>(), sp.GetRequiredService<TimeProvider>(), isAlive: () => health.Latest is null || health.IsAlive(maxAge));
        });
        return builder;
    }

    /// <summary>
    /// Keys in <paramref name="builder"/>'s configuration that no registered options type or known section reads,
    /// one line each naming its source and the nearest known key. The schema comes from the options registered so
    /// far, so call this after every service is added.
    /// </summary>
    public static IReadOnlyList<string> UnknownConfigurationKeys(HostApplicationBuilder builder) =>
        UnknownKeyCheck.Problems(builder.Configuration, ConfigurationSchema.From(builder.Services));

    /// <summary>
    /// <paramref name="failure"/>, a validator's line that starts with the key it is about ("Batching:MaxBatch: 0 is out
    /// of range…"), with where that key's value was written appended: "(set by EDGE_Batching__MaxBatch)". Unchanged
    /// when the line names no key, or the key has its default.
    /// </summary>
    public static string WithOrigin(HostApplicationBuilder builder, string failure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(failure);
        var end = failure.IndexOf(": ", StringComparison.Ordinal);
        if (end <= 0 || failure.AsSpan(0, end).ContainsAnyExcept(KeyCharacters))
        {
            return failure;
        }

        return UnknownKeyCheck.Origin(builder.Configuration, failure[..end]) is { } origin ? $"{failure} ({origin})" : failure;
    }

    private static readonly System.Buffers.SearchValues<char> KeyCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:");

    /// <summary>Sections and keys the daemon reads or tolerates without an options type of its own.</summary>
    private static void AddKnownSections(IServiceCollection services)
    {
        // Logging: category names are open-ended (Logging:LogLevel:MQTTnet, Logging:Console:FormatterName, …).
        services.AddSingleton(new KnownConfigurationSection("Logging"));
        services.AddSingleton(new KnownConfigurationSection(ConfigurationLayers.ConfigDirectoryKey, FreeForm: false));

        // Read by edgectl (EDGE_BROKER) and the test suite (EDGE_SHARED_MODELS) from the same EDGE_ prefix; a shell that
        // sets them for those must not stop the daemon.
        services.AddSingleton(new KnownConfigurationSection("BROKER", FreeForm: false));
        services.AddSingleton(new KnownConfigurationSection("SHARED_MODELS", FreeForm: false));
    }

    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        // The health service would log every degraded or unhealthy check on every run (every 10 s); HealthMonitorService
        // logs each change of the overall status once instead. Registered before the configuration, which may override it.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddConsole();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddJsonConsole(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;

            // UTF-8 as written: "→" and "+" stay readable in journalctl and docker logs instead of \u2192 and \u002B.
            o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        });

        // JSON for machines (systemd's journal, containers, redirected output), text for a person at a terminal;
        // Logging:Console:FormatterName overrides. Runs after AddSystemd, which would pick its own format.
        var configured = builder.Configuration["Logging:Console:FormatterName"];
        var formatter = configured is { Length: > 0 }
            ? configured
            : SystemdHelpers.IsSystemdService() || Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER") == "true" || Console.IsOutputRedirected
                ? ConsoleFormatterNames.Json
                : ConsoleFormatterNames.Simple;
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = formatter);
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.None);
    }

    private static void AddOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EdgeRuntimeOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<EdgeRuntimeOptions>, EdgeRuntimeOptionsSetup>();
        services.AddSingleton<IValidateOptions<EdgeRuntimeOptions>, EdgeRuntimeOptionsValidator>();

        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>();

        services.AddOptions<StatusOptions>().Bind(configuration.GetSection(StatusOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatusOptions>, StatusOptionsValidator>();
    }

    private static void AddMessaging(IServiceCollection services)
    {
        services.AddSingleton<ModelStatusBoard>();
        services.AddSingleton<ClockStatusBoard>();
        services.AddSingleton(sp => DeviceIdentity.Create(
            sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.DeviceId!,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new MqttTopics(sp.GetRequiredService<IOptions<MqttOptions>>().Value.TopicRoot));
        services.AddSingleton(sp => BrokerConnection.From(
            sp.GetRequiredService<IOptions<MqttOptions>>().Value,
            sp.GetRequiredService<DeviceIdentity>().DeviceId));

        // Each failed attempt is one line from MqttReconnectPipeline ("not reachable (attempt N: reason); next try in
        // S s"); Polly's own telemetry would add a warning with the whole exception (~4 KB of stack trace) per attempt.
        services.Configure<Polly.Telemetry.TelemetryOptions>(telemetry => telemetry.SeverityProvider = args =>
            args.Source.PipelineName == MqttReconnectPipeline.Name && args.Event.EventName is "ExecutionAttempt" or "OnRetry"
                ? Polly.Telemetry.ResilienceEventSeverity.None
                : args.Event.Severity);
        services.AddResiliencePipeline(MqttReconnectPipeline.Name, (pipeline, context) =>
        {
            var sp = context.ServiceProvider;
            pipeline.TimeProvider = sp.GetRequiredService<TimeProvider>();
            MqttReconnectPipeline.Configure(
                pipeline,
                sp.GetRequiredService<IOptions<MqttOptions>>().Value.Reconnect,
                sp.GetRequiredService<BrokerConnection>().Endpoint.ToString(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MqttReconnectPipeline)));
        });

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var broker = sp.GetRequiredService<BrokerConnection>();
            var will = DevicePresence.CreateLastWill(sp.GetRequiredService<MqttTopics>(), sp.GetRequiredService<DeviceIdentity>());
            var clientOptions = MqttClientOptionsFactory.Create(options, broker.Endpoint, broker.ClientId, will);
            if (broker.IsEmbedded)
            {
                // The embedded broker lets in only its local credential, which it writes to the state directory when it starts.
                var state = sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!;
                MqttClientOptionsFactory.UsePasswordFile(clientOptions, LocalBrokerCredential.Username, LocalBrokerCredential.PasswordFile(state));
            }

            var supervisor = new MqttConnectionSupervisor(
                clientOptions,
                sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(MqttReconnectPipeline.Name),
                options.MaxQueuedMessages,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<MqttConnectionSupervisor>>(),
                options.Conflict);

            supervisor.HoldAtStartFor(sp.GetRequiredService<MqttTopics>().QueuedWhileAway(sp.GetRequiredService<DeviceIdentity>().DeviceId));
            return supervisor;
        });
        services.AddSingleton<DevicePresence>();
    }
}
