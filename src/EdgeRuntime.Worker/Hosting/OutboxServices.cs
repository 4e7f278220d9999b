using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Registers the device's one durable outbox, {state}/outbox.db, opened on first use: federated updates and durable
/// pipeline results share it (<c>Federated:MaxOutboxEntries</c> caps it; results may hold at most half of it, so a long
/// outage's results never crowd out federated updates). <see cref="OutboxUploadService"/> uploads it.
/// </summary>
internal static class OutboxServices
{
    public static void Add(IServiceCollection services) =>
        services.AddSingleton(sp =>
        {
            var max = sp.GetRequiredService<IOptions<FederatedOptions>>().Value.MaxOutboxEntries;
            return new SqliteOutbox(
                Path.Combine(sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!, "outbox.db"),
                sp.GetRequiredService<TimeProvider>(),
                max,
                new Dictionary<OutboxChannel, int> { [OutboxChannel.PipelineResult] = Math.Max(1, max / 2) });
        });

    /// <summary>Whether anything uses the outbox: federated learning, or an enabled pipeline with durable results.</summary>
    public static bool InUse(FederatedOptions federated, PipelineSetOptions pipelines) =>
        federated.Enabled || DurableResults(pipelines);

    /// <summary>Whether an enabled pipeline sends its results through the outbox.</summary>
    public static bool DurableResults(PipelineSetOptions pipelines) => pipelines.Pipelines.Any(p => p.Enabled && p.Results.Durable);
}
