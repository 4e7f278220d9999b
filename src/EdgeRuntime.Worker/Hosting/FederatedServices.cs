using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Registers the device side of federated learning: options (validated at start), and — when enabled — the device
/// key and the sink the learner hands accepted revisions to, which adds updates to the durable outbox
/// (<see cref="OutboxServices"/>). The upload runs in <see cref="OutboxUploadService"/>.
/// </summary>
internal static class FederatedServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FederatedOptions>().Bind(configuration.GetSection(FederatedOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FederatedOptions>, FederatedOptionsValidator>();
        services.AddSingleton(sp => DeviceKey.Load(sp.GetRequiredService<IOptions<FederatedOptions>>().Value.DeviceKey!));
        services.AddSingleton<RevisionUpdateSink>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FederatedOptions>>().Value;
            var store = sp.GetRequiredService<ModelStore>();
            return new RevisionUpdateSink(
                sp.GetRequiredService<DeviceIdentity>().DeviceId,
                sp.GetRequiredService<DeviceKey>(),
                options.ToUpdateOptions(),
                (model, version) => store.Get(model, version)?.Path,
                sp.GetRequiredService<SqliteOutbox>(),
                sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!,
                sp.GetRequiredService<KernelAccelerator>(),
                GaussianNoise.Secure(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<RevisionUpdateSink>());
        });
    }

    /// <summary>The sink for the learner, or null while federated learning is off.</summary>
    public static ILocalRevisionSink? SinkFor(IServiceProvider services) =>
        services.GetRequiredService<IOptions<FederatedOptions>>().Value.Enabled ? services.GetRequiredService<RevisionUpdateSink>() : null;

    private sealed class FederatedOptionsValidator : IValidateOptions<FederatedOptions>
    {
        public ValidateOptionsResult Validate(string? name, FederatedOptions options) =>
            options.Check() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
