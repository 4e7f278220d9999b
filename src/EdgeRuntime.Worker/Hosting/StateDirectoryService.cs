using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Creates the state directory at start and proves it writable before anything else runs.</summary>
internal sealed class StateDirectoryService(IOptions<EdgeRuntimeOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = options.Value.StateDirectory!;
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}");
            using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
            {
                stream.WriteByte(1);
                stream.Flush(flushToDisk: true);
            }

            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"StateDirectory: '{directory}' is not writable: {ex.Message}", ex);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
