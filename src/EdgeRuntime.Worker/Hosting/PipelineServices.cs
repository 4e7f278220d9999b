using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Pipelines;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Learning.OnDevice;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
using EdgeRuntime.Pipelines.Runtime;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Registers the sensor pipelines: options (validated at start), the result store, the runtime.</summary>
internal static class PipelineServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        // A list element whose value does not convert (an unknown source type) is named before binding, by the daemon's
        // configuration check (UnknownKeyCheck), so the validator only sees options that bound whole.
        var validator = new PipelineOptionsValidator();
        services.AddOptions<PipelineSetOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PipelineSetOptions>>(validator);
        services.AddOptions<BatchingOptions>().Bind(configuration.GetSection(BatchingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BatchingOptions>>(validator);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>>(validator);
        services.AddSingleton<PipelineStatusBoard>();

        // Built when the pipeline service starts, so a device without pipelines opens no database.
        services.AddSingleton<Func<PipelineRuntime>>(sp => () =>
        {
            var pipelines = sp.GetRequiredService<IOptions<PipelineSetOptions>>().Value.Pipelines;
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var state = sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!;
            var time = sp.GetRequiredService<TimeProvider>();
            var learning = sp.GetRequiredService<IOptions<LearningOptions>>().Value;
            // The frame pre-processor (and with it, perhaps, an ILGPU context) only where a detector runs.
            var frames = pipelines.Any(p => p.Enabled && p.Stage.Type != StageKind.Forecast)
                ? sp.GetRequiredService<IFramePreprocessorFactory>()
                : null;
            var store = pipelines.Any(p => p.Enabled && p.Results.Store)
                ? new SqliteResultStore(Path.Combine(state, storage.Database), storage, time)
                : null;
            var runtime = new PipelineRuntime(
                pipelines,
                sp.GetRequiredService<IOptions<BatchingOptions>>().Value,
                sp.GetRequiredService<ModelServer>(),
                sp.GetRequiredService<MqttConnectionSupervisor>(),
                sp.GetRequiredService<MqttTopics>(),
                sp.GetRequiredService<DeviceIdentity>().DeviceId,
                store,
                sp.GetRequiredService<PipelineStatusBoard>(),
                time,
                sp.GetRequiredService<ILogger<PipelineRuntime>>(),
                frames,
                learning.Enabled ? sp.GetRequiredService<LabelJoiner>() : null,
                OutboxServices.DurableResults(sp.GetRequiredService<IOptions<PipelineSetOptions>>().Value) ? sp.GetRequiredService<SqliteOutbox>() : null);
            sp.GetRequiredService<InferenceLoadRelay>().Source = runtime;
            return runtime;
        });
    }
}
