using EdgeRuntime.Core.IO;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// The named <c>delivery-source</c> resilience pipeline around fetching from a manifest's URL: a web server away, a
/// reset connection or a timeout is tried again three times with exponential backoff (2, 4, 8 s) before the version's
/// download is given up as <c>source-unavailable</c> (itself retried later by the reconcile loop). Wrong bytes
/// (<see cref="Transfer.TransferException"/>) and a full disk are not retried here.
/// </summary>
public static partial class SourceFetchPipeline
{
    /// <summary>The pipeline's name.</summary>
    public const string Name = "delivery-source";

    /// <summary>Adds the retry to <paramref name="builder"/>.</summary>
    public static ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRetry(new RetryStrategyOptions
        {
            Name = Name,
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(2),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException or TimeoutException
                || (args.Outcome.Exception is IOException io && !DiskErrors.IsOutOfSpace(io))
                || (args.Outcome.Exception is TaskCanceledException && !args.Context.CancellationToken.IsCancellationRequested)),
            OnRetry = args =>
            {
                LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "unknown error");
                return ValueTask.CompletedTask;
            },
        });
    }

    /// <summary>Builds a stand-alone pipeline.</summary>
    public static ResiliencePipeline Create(TimeProvider timeProvider, ILogger logger) =>
        Configure(new ResiliencePipelineBuilder { Name = Name, TimeProvider = timeProvider }, logger).Build();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download from the model's URL failed (attempt {Attempt}: {Reason}); next try in {DelaySeconds:F0} s")]
    private static partial void LogRetry(ILogger logger, int attempt, double delaySeconds, string reason);
}
