using EdgeRuntime.Delivery.Agent;
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
    AcceleratorChoice accelerator,
    ILogger<ModelDeliveryService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LogProvider(logger, accelerator.Provider.ToString(), accelerator.Summary);
        await agent.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await agent.DisposeAsync();
        server.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Models run on the {Provider} execution provider ({Probe})")]
    private static partial void LogProvider(ILogger logger, string provider, string probe);
}
