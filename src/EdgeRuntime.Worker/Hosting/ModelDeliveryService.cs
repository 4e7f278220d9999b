using EdgeRuntime.Delivery.Agent;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Inference.Serving;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Starts model delivery: serving what the store held, then listening for manifests and commands. At stop,
/// cancels work in progress (a download resumes on the next start) and takes models out of service.
/// </summary>
internal sealed partial class ModelDeliveryService(
    ModelDeliveryAgent agent,
    ModelServer server,
    ModelStore store,
    ILogger<ModelDeliveryService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await agent.StartAsync(cancellationToken);
        LogStarted(logger, store.Models().Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await agent.DisposeAsync();
        server.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model delivery started; the store holds {Models} model(s)")]
    private static partial void LogStarted(ILogger logger, int models);
}
