using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// <c>edge-runtime health</c>: reads the health file the running daemon writes and exits 0 when it is healthy or
/// degraded and checked recently, 1 otherwise (unhealthy, stale, missing). One line on stdout says why. Takes the
/// same configuration as the daemon (so it finds the same state directory).
/// </summary>
internal static class HealthProbe
{
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output)
    {
        var path = HealthMonitorService.FilePath(
            services.GetRequiredService<IOptions<HealthOptions>>().Value,
            services.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            await output.WriteLineAsync($"unhealthy: no health file at {path} (the daemon is not running, or has not checked yet)");
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"unhealthy: cannot read {path}: {ex.Message}");
            return 1;
        }

        var document = HealthDocument.TryParse(bytes, out var problem);
        if (document is null)
        {
            await output.WriteLineAsync($"unhealthy: {path} is not a health file: {problem}");
            return 1;
        }

        var (passed, line) = document.Verdict(services.GetRequiredService<TimeProvider>().GetUtcNow());
        await output.WriteLineAsync(line);
        return passed ? 0 : 1;
    }
}
