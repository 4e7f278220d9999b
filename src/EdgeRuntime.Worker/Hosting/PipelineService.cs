using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Models;
using EdgeRuntime.Pipelines.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Runs the configured pipelines (their models are put into service by delivery: a delivered version, else the built-in
/// version 0 a pipeline names — see <see cref="BuiltInModelCatalog"/>). Logs each pipeline's
/// live line every <see cref="StorageOptions.LiveLineSeconds"/>. At stop, sources and batchers stop and the result
/// store is flushed before the broker connection closes.
/// </summary>
internal sealed partial class PipelineService(
    IOptions<PipelineSetOptions> pipelines,
    IOptions<StorageOptions> storage,
    Func<PipelineRuntime> createRuntime,
    TimeProvider timeProvider,
    ILogger<PipelineService> logger) : BackgroundService
{
    private PipelineRuntime? _runtime;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var enabled = pipelines.Value.Pipelines.Where(p => p.Enabled).ToList();
        if (enabled.Count == 0)
        {
            return;
        }

        try
        {
            _runtime = createRuntime();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new StartupException($"pipelines: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        _runtime.Start();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = storage.Value.LiveLineSeconds;
        if (every <= 0 || _runtime is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(every), timeProvider);
        string? storeProblem = null;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var line in _runtime.LiveLines())
            {
                LogLive(logger, line);
            }

            // A full disk or a broken database stops storing, not serving; say so once per new reason.
            if (_runtime.StoreProblem is { } problem && problem != storeProblem)
            {
                LogStoreProblem(logger, problem);
            }

            storeProblem = _runtime.StoreProblem;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Results are not being stored: {Reason}")]
    private static partial void LogStoreProblem(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLive(ILogger logger, string line);
}
