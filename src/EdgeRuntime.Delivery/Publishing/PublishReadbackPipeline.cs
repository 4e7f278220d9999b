using Polly;
using Polly.Retry;

namespace EdgeRuntime.Delivery.Publishing;

/// <summary>
/// The named <c>publish-readback</c> resilience pipeline: after a version is published, what is retained on the broker
/// is read back and compared with what was sent; what is missing or wrong is published again and read back again, up
/// to five more rounds (1, 2, 4, 8, 16 s apart: a broker that restarted needs a moment). A broker's acknowledgement is
/// not durability — a broker killed without persistence forgets acknowledged messages — so only a read-back proves a
/// device will find every chunk.
/// </summary>
public static class PublishReadbackPipeline
{
    /// <summary>The pipeline's name.</summary>
    public const string Name = "publish-readback";

    /// <summary>Adds the retry to <paramref name="builder"/>.</summary>
    public static ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRetry(new RetryStrategyOptions
        {
            Name = Name,
            MaxRetryAttempts = 5,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(1),
            ShouldHandle = new PredicateBuilder().Handle<IncompletePublishException>(),
        });
    }

    /// <summary>Builds a stand-alone pipeline.</summary>
    public static ResiliencePipeline Create(TimeProvider timeProvider) =>
        Configure(new ResiliencePipelineBuilder { Name = Name, TimeProvider = timeProvider }).Build();
}
