using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Delivery.Agent;
using EdgeRuntime.Delivery.Preflight;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Delivery.Trust;
using EdgeRuntime.Inference.Planning;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Models;
using EdgeRuntime.Pipelines.Runtime;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Registers model delivery and serving: options, store, transfer, pre-flight, activator (with the pipelines' fit check), built-in models, the named delivery pipelines, agent.</summary>
internal static class DeliveryServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddOptions<ServingOptions>().Bind(configuration.GetSection(ServingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();

        services.AddSingleton<ModelServer>();
        services.AddSingleton<IModelActivator>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AcceleratorProbe));
            var serving = sp.GetRequiredService<IOptions<ServingOptions>>().Value;
            return new OnnxModelActivator(
                sp.GetRequiredService<ModelServer>(),
                serving,
                () => AcceleratorProbe.Choose(logger))
            {
                Planner = serving.PlanSearch ? sp.GetRequiredService<ModelPlanner>() : null,

                // A version that would stop a pipeline is refused before the swap; the previous one keeps serving.
                Compatibility = new PipelineCompatibilityCheck(sp.GetRequiredService<IOptions<PipelineSetOptions>>().Value.Pipelines),
            };
        });
        services.AddSingleton<IBuiltInModels>(sp => new BuiltInModelCatalog(
            sp.GetRequiredService<IOptions<PipelineSetOptions>>().Value.Pipelines,
            sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!));

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            var state = sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!;
            return new ModelStore(Path.Combine(state, "models"), options.KeepVersions, options.StoreQuotaMegabytes * 1024 * 1024, Path.Combine(state, "downloads"));
        });
        services.AddResiliencePipeline(SourceFetchPipeline.Name, (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            SourceFetchPipeline.Configure(pipeline, context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SourceFetchPipeline)));
        });
        services.AddResiliencePipeline(CommandDeadlinePipeline.Name, (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            CommandDeadlinePipeline.Configure(pipeline);
        });
        services.AddSingleton(sp => TrustedKeys.Load(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.TrustedKeys));
        services.AddSingleton(sp => new DeviceTrust(
            Path.Combine(sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!, "trust"),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeviceTrust>>(),
            sp.GetRequiredService<ClockStatusBoard>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            return new PreflightRunner(
                PreflightCommand.Self("preflight"),
                new PreflightLimits((long)options.PreflightMemoryMegabytes * 1024 * 1024, TimeSpan.FromSeconds(options.PreflightTimeoutSeconds), options.PreflightRuns),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<PreflightRunner>>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            return new MqttChunkSource(
                sp.GetRequiredService<MqttConnectionSupervisor>(),
                sp.GetRequiredService<MqttTopics>(),
                options.DownloadParallelism,
                TimeSpan.FromSeconds(options.ChunkTimeoutSeconds),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<MqttChunkSource>>());
        });
        services.AddSingleton(sp => new ModelProgressReporter(
            sp.GetRequiredService<ModelStatusBoard>(),
            sp.GetRequiredService<MqttConnectionSupervisor>(),
            sp.GetRequiredService<MqttTopics>().DeviceEvents(sp.GetRequiredService<DeviceIdentity>().DeviceId),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ModelProgressReporter>>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            var state = sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!;
            var parts = new DeliveryAgentParts(
                options,
                sp.GetRequiredService<DeviceIdentity>().DeviceId,
                sp.GetRequiredService<MqttConnectionSupervisor>(),
                sp.GetRequiredService<MqttTopics>(),
                sp.GetRequiredService<TrustedKeys>(),
                sp.GetRequiredService<ModelStore>(),
                Path.Combine(state, "downloads"),
                sp.GetRequiredService<MqttChunkSource>(),
                new UrlChunkSource(new HttpClient { Timeout = TimeSpan.FromMinutes(10) }, options.AllowPlainHttp),
                sp.GetRequiredService<PreflightRunner>(),
                sp.GetRequiredService<IModelActivator>(),
                sp.GetRequiredService<ModelProgressReporter>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<DeviceTrust>())
            {
                DeviceTags = sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.DeviceTags,
                BuiltIns = sp.GetRequiredService<IBuiltInModels>(),
                SourcePipeline = sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(SourceFetchPipeline.Name),
                CommandPipeline = sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(CommandDeadlinePipeline.Name),
            };
            return new ModelDeliveryAgent(parts, sp.GetRequiredService<ILogger<ModelDeliveryAgent>>());
        });
    }
}

/// <summary>Chooses the execution provider models run on by probing (TensorRT, then CUDA, then CPU).</summary>
internal static partial class AcceleratorProbe
{
    /// <summary>Probes the providers (this loads ONNX Runtime's native library), logs what it found, returns the best.</summary>
    public static ExecutionProvider Choose(ILogger logger)
    {
        var results = ExecutionProviderProbe.Probe();
        var best = results.First(r => r.Available).Provider;
        LogChoice(logger, best.ToString(), string.Join("; ", results.Select(r => r.Available ? $"{r.Provider}: available" : $"{r.Provider}: {r.Reason}")));
        return best;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Models run on the {Provider} execution provider ({Probe})")]
    private static partial void LogChoice(ILogger logger, string provider, string probe);
}

/// <summary>Checks <see cref="ServingOptions"/> at start.</summary>
internal sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        var failures = new List<string>();
        if (options.IntraOpThreads is < 0 or > 256)
        {
            failures.Add($"{ServingOptions.SectionName}:IntraOpThreads: {options.IntraOpThreads} is out of range; allowed: 0 (ONNX Runtime chooses) to 256");
        }

        if (options.WarmupRuns is < 0 or > 100)
        {
            failures.Add($"{ServingOptions.SectionName}:WarmupRuns: {options.WarmupRuns} is out of range; allowed: 0-100");
        }

        if (options.PlanBudgetSeconds is < 5 or > 3600)
        {
            failures.Add($"{ServingOptions.SectionName}:PlanBudgetSeconds: {options.PlanBudgetSeconds} is out of range; allowed: 5-3600");
        }

        if (!string.Equals(options.Provider, "auto", StringComparison.OrdinalIgnoreCase) && ModelPlanner.RequestedProvider(options.Provider) is null)
        {
            failures.Add($"{ServingOptions.SectionName}:Provider: '{options.Provider}' is not a provider; allowed: auto, tensorrt, cuda, cpu");
        }

        if (!Enum.IsDefined(options.OptimizationLevel))
        {
            failures.Add($"{ServingOptions.SectionName}:OptimizationLevel: {options.OptimizationLevel} is not a level; allowed: O0, O1, O2, O3");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
