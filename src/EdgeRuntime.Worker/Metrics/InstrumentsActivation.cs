using Microsoft.Extensions.Hosting;

namespace EdgeRuntime.Worker.Metrics;

/// <summary>Creates <see cref="DaemonInstruments"/> at start (a singleton nobody else asks for until an exporter collects).</summary>
internal sealed class InstrumentsActivation(DaemonInstruments instruments) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(instruments);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
