using Polly;
using Polly.Retry;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>
/// The named <c>fl-sim-version-fetch</c> resilience pipeline around <see cref="GlobalVersionFollower"/>'s fetch of a
/// global version: any failure but the follower's own cancellation — a refused chunk, a file that does not match its
/// signed sha256, a broker that went away, a cancellation or timeout from below — is reported and the fetch tried again,
/// 0.25 s to 5 s apart (exponential, jittered), for as long as the follower runs. No later manifest may come to start
/// another fetch (the first version of a run, its last), so giving up would leave the version undelivered for good.
/// </summary>
internal static class GlobalVersionFetchPipeline
{
    /// <summary>The pipeline's name.</summary>
    public const string Name = "fl-sim-version-fetch";

    /// <summary>Builds the pipeline; <paramref name="onFailure"/> receives each failed attempt's exception, its number (from 1) and the wait before the next.</summary>
    public static ResiliencePipeline Create(TimeProvider timeProvider, Action<Exception, int, TimeSpan> onFailure) =>
        new ResiliencePipelineBuilder { Name = Name, TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                Name = Name,
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome.Exception, args.Context.CancellationToken)),
                OnRetry = args =>
                {
                    onFailure(args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();

    /// <summary>Whether an attempt that threw <paramref name="exception"/> failed (and is tried again): anything but a cancellation of <paramref name="cancellationToken"/> itself.</summary>
    public static bool IsFailure(Exception? exception, CancellationToken cancellationToken) =>
        exception is not null && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
