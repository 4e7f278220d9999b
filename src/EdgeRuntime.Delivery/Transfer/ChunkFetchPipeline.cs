using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace EdgeRuntime.Delivery.Transfer;

/// <summary>
/// The named <c>delivery-chunk</c> resilience pipeline around one chunk request: each attempt subscribes to the chunk's
/// topic and waits at most the chunk timeout (Delivery:ChunkTimeoutSeconds); a timeout is reported as a wait and asked
/// again — forever, once the connection is up (a missing chunk stalls the download, visibly, until it is published or the
/// download is preempted); a retained chunk with wrong bytes is asked for again up to <see cref="BadRetainedAttempts"/>
/// times before the version is refused.
/// </summary>
public static partial class ChunkFetchPipeline
{
    /// <summary>The pipeline's name.</summary>
    public const string Name = "delivery-chunk";

    /// <summary>How often a retained chunk may arrive wrong before the version is refused (a torn broker write heals on a re-send; a bad publish does not).</summary>
    public const int BadRetainedAttempts = 3;

    /// <summary>The per-call request the strategies read.</summary>
    internal static readonly ResiliencePropertyKey<ChunkRequest?> RequestKey = new("edge.delivery.chunk");

    /// <summary>Adds the retry and the per-attempt timeout to <paramref name="builder"/>.</summary>
    public static ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder, TimeSpan chunkTimeout, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddRetry(new RetryStrategyOptions
            {
                Name = Name,
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context)),
                OnRetry = async args =>
                {
                    var request = args.Context.Properties.GetValue(RequestKey, null);
                    if (request is null)
                    {
                        return;
                    }

                    if (args.Outcome.Exception is TimeoutRejectedException)
                    {
                        request.OnTimeout();
                        LogTimeout(logger, request.Index, request.Label, chunkTimeout.TotalSeconds, args.AttemptNumber + 1);
                    }
                    else
                    {
                        LogBadRetained(logger, request.Index, request.Label, args.Outcome.Exception?.Message ?? "wrong bytes");
                    }

                    // Asking again while the broker is away would only time out again.
                    await request.WaitUntilConnectedAsync(args.Context.CancellationToken);
                },
            })
            .AddTimeout(new Polly.Timeout.TimeoutStrategyOptions { Name = $"{Name}-attempt", Timeout = chunkTimeout });
    }

    /// <summary>Builds a stand-alone pipeline.</summary>
    public static ResiliencePipeline Create(TimeSpan chunkTimeout, TimeProvider timeProvider, ILogger logger) =>
        Configure(new ResiliencePipelineBuilder { Name = Name, TimeProvider = timeProvider }, chunkTimeout, logger).Build();

    private static bool ShouldRetry(Exception? exception, ResilienceContext context) => exception switch
    {
        TimeoutRejectedException => true,
        BadRetainedChunkException => context.Properties.GetValue(RequestKey, null) is { } request && ++request.BadRetained < BadRetainedAttempts,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chunk {Index} of {Model} did not arrive within {Seconds} s (attempt {Attempt}); asking again")]
    private static partial void LogTimeout(ILogger logger, int index, string model, double seconds, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chunk {Index} of {Model} arrived wrong from the broker ({Reason}); asking again")]
    private static partial void LogBadRetained(ILogger logger, int index, string model, string reason);
}

/// <summary>One chunk being asked for: what the pipeline's strategies need to report and count.</summary>
internal sealed class ChunkRequest(int index, string label, Action onTimeout, Func<CancellationToken, Task> waitUntilConnected)
{
    public int Index => index;

    public string Label => label;

    public int BadRetained { get; set; }

    public void OnTimeout() => onTimeout();

    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken) => waitUntilConnected(cancellationToken);
}

/// <summary>The broker sent the chunk as its retained message, and its bytes are wrong.</summary>
internal sealed class BadRetainedChunkException(TransferException inner) : Exception(inner.Message, inner)
{
    public TransferException Transfer => inner;
}
