using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace EdgeRuntime.Messaging.Outbox;

/// <summary>
/// The named <c>outbox-upload</c> resilience pipeline around one publish of an outbox entry: a timeout on the broker's
/// acknowledgement inside a jittered exponential retry that handles a full outgoing queue and that timeout. A broker
/// that refuses the message for good (<see cref="PublishRejectedException"/>) is not retried: the entry stays in the
/// outbox and is tried again on the uploader's next round.
/// </summary>
public static partial class OutboxUploadPipeline
{
    /// <summary>The pipeline's name.</summary>
    public const string Name = "outbox-upload";

    /// <summary>Builds the pipeline.</summary>
    public static ResiliencePipeline Create(OutboxUploadOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ResiliencePipelineBuilder { Name = Name, TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                Name = Name,
                ShouldHandle = new PredicateBuilder().Handle<OutgoingQueueFullException>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = Math.Max(1, options.MaxPublishRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "no outcome");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(TimeSpan.FromSeconds(options.AcknowledgementTimeoutSeconds))
            .Build();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox upload retry {Attempt} in {DelaySeconds:F1} s: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, double delaySeconds, string reason);
}
