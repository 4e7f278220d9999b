using Polly;
using Polly.Timeout;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// The named <c>delivery-command</c> resilience pipeline: a command is answered within its own time — the sooner of its
/// <c>expiresAt</c> (less a margin for the reply to travel) and <see cref="MaxWait"/> — with what it achieved so far if
/// the work it started (a download) takes longer; the work goes on.
/// </summary>
public static class CommandDeadlinePipeline
{
    /// <summary>The pipeline's name.</summary>
    public const string Name = "delivery-command";

    /// <summary>The longest a command waits for its outcome before it is answered with the progress made.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    /// <summary>Time kept back from a command's expiry so that the reply reaches the sender before it gives up.</summary>
    public static readonly TimeSpan ReplyMargin = TimeSpan.FromSeconds(1);

    /// <summary>The per-call wait the timeout reads.</summary>
    public static readonly ResiliencePropertyKey<TimeSpan> WaitKey = new("edge.delivery.command-wait");

    /// <summary>Adds the timeout to <paramref name="builder"/>.</summary>
    public static ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = Name,
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(WaitKey, MaxWait)),
        });
    }

    /// <summary>Builds a stand-alone pipeline.</summary>
    public static ResiliencePipeline Create(TimeProvider timeProvider) =>
        Configure(new ResiliencePipelineBuilder { Name = Name, TimeProvider = timeProvider }).Build();

    /// <summary>How long a command that expires at <paramref name="expiresAt"/> may wait at <paramref name="now"/> (at least a second).</summary>
    public static TimeSpan WaitFor(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var left = expiresAt - now - ReplyMargin;
        return left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left > MaxWait ? MaxWait : left;
    }
}
