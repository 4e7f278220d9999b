using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// Runs the health checks every <see cref="HealthOptions.IntervalSeconds"/>: keeps the report for the systemd
/// watchdog and the metrics, writes the health file for <c>edge-runtime health</c>, and logs each change of the
/// overall status once.
/// </summary>
internal sealed partial class HealthMonitorService(
    HealthCheckService checks,
    HealthState state,
    IOptions<HealthOptions> options,
    IOptions<EdgeRuntimeOptions> runtime,
    TimeProvider timeProvider,
    ILogger<HealthMonitorService> logger) : BackgroundService
{
    /// <summary>Where the health file is: <see cref="HealthOptions.File"/>, or health.json in the state directory.</summary>
    public static string FilePath(HealthOptions health, EdgeRuntimeOptions runtime) =>
        health.File is { Length: > 0 } file ? Path.GetFullPath(file) : Path.Combine(runtime.StateDirectory!, "health.json");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = FilePath(options.Value, runtime.Value);
        HealthStatus? last = null;
        string? lastWriteError = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.IntervalSeconds), timeProvider);
        do
        {
            var report = await checks.CheckHealthAsync(stoppingToken);
            state.Update(report);
            var document = HealthDocument.From(report, timeProvider.GetUtcNow(), options.Value.IntervalSeconds);
            if (report.Status != last)
            {
                LogStatus(logger, document.Verdict(document.CheckedAt).Line);
                last = report.Status;
            }

            try
            {
                var temporary = $"{path}.{Environment.ProcessId}.tmp";
                await File.WriteAllBytesAsync(temporary, document.Serialize(), stoppingToken);
                File.Move(temporary, path, overwrite: true);
                lastWriteError = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (ex.Message != lastWriteError)
                {
                    LogWriteFailed(logger, path, ex.Message);
                    lastWriteError = ex.Message;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // A stopped daemon is not healthy: a probe after a clean stop must fail rather than read the last good check.
        try
        {
            File.Delete(FilePath(options.Value, runtime.Value));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health: {Line}")]
    private static partial void LogStatus(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The health file {Path} cannot be written: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);
}
