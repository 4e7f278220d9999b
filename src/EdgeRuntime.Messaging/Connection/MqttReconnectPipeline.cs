using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Identity;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>
/// The named <c>mqtt-reconnect</c> resilience pipeline: retries a connection attempt forever with jittered
/// exponential backoff between <see cref="MqttReconnectOptions.InitialDelayMilliseconds"/> and
/// <see cref="MqttReconnectOptions.MaxDelayMilliseconds"/>, so a fleet of devices does not reconnect in step
/// after a broker restart. An attempt refused with <see cref="ClientIdConflictException"/> waits that exception's
/// back-off instead (<see cref="TakeoverRules.BackOff"/>).
/// </summary>
public static partial class MqttReconnectPipeline
{
    /// <summary>The pipeline's name in the registry.</summary>
    public const string Name = "mqtt-reconnect";

    /// <summary>Adds the retry strategy to <paramref name="builder"/>.</summary>
    public static ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder, MqttReconnectOptions options, string endpoint, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.AddRetry(new RetryStrategyOptions
        {
            Name = Name,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(options.InitialDelayMilliseconds),
            MaxDelay = TimeSpan.FromMilliseconds(options.MaxDelayMilliseconds),
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is ClientIdConflictException conflict ? conflict.BackOff : (TimeSpan?)null),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is ClientIdConflictException conflict)
                {
                    LogConflictBackOff(logger, endpoint, args.RetryDelay.TotalSeconds, conflict.Message);
                }
                else
                {
                    LogRetry(logger, endpoint, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, Reason(args.Outcome.Exception));
                }

                return ValueTask.CompletedTask;
            },
        });
    }

    /// <summary>Builds a stand-alone pipeline (tools and tests; the daemon takes it from the registry).</summary>
    public static ResiliencePipeline Create(MqttReconnectOptions options, string endpoint, TimeProvider timeProvider, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        return Configure(builder, options, endpoint, logger).Build();
    }

    /// <summary>The cause a person can act on: "Connection refused" rather than MQTTnet's "Error while connecting host …".</summary>
    private static string Reason(Exception? exception) => exception switch
    {
        null => "unknown error",
        MqttConnectionRefusedException refused => refused.Message,
        { InnerException: { } inner } => inner.Message,
        _ => exception.Message,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: reconnecting to {Endpoint} in {DelaySeconds:F0} s, not at once: {Reason}")]
    private static partial void LogConflictBackOff(ILogger logger, string endpoint, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Endpoint} not reachable (attempt {Attempt}: {Reason}); next try in {DelaySeconds:F1} s")]
    private static partial void LogRetry(ILogger logger, string endpoint, int attempt, double delaySeconds, string reason);
}
