using EdgeRuntime.Learning.OnDevice;
using EdgeRuntime.Pipelines.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Ticks the <see cref="LocalLearner"/> every <see cref="LearningOptions.CheckSeconds"/> for the models of the enabled
/// forecast pipelines, while learning is enabled. All decisions live in the learner and its policy.
/// </summary>
internal sealed partial class LearningService(
    IOptions<LearningOptions> options,
    IOptions<PipelineSetOptions> pipelines,
    IServiceProvider services,
    TimeProvider timeProvider,
    ILogger<LearningService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var models = pipelines.Value.Pipelines.Where(p => p.Enabled && p.Stage.Type == StageKind.Forecast).Select(p => p.Model.Name).Distinct(StringComparer.Ordinal).ToList();
        if (!options.Value.Enabled || models.Count == 0)
        {
            return;
        }

        var learner = (LocalLearner)services.GetService(typeof(LocalLearner))!;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckSeconds), timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await learner.TickAsync(models, stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
            {
                // A full disk or a damaged file stops this round, not serving; the next tick tries again.
                LogRoundFailed(logger, ex.Message.ReplaceLineEndings(" "));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "On-device learning round failed: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);
}
