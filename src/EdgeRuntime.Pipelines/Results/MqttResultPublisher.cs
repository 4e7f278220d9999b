using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Pipelines.Configuration;
using MQTTnet.Protocol;

namespace EdgeRuntime.Pipelines.Results;

/// <summary>
/// Publishes a pipeline's results on <c>{root}/devices/{id}/results/{pipeline}</c> at the configured QoS, at most
/// <see cref="ResultOptions.MaxPerSecond"/> a second (a token bucket a second deep; results over the rate are
/// counted as throttled and only stored). A full outgoing queue is counted, never waited on.
/// </summary>
public sealed class MqttResultPublisher(MqttConnectionSupervisor connection, MqttTopics topics, string deviceId, string pipeline, ResultOptions options, TimeProvider timeProvider)
    : IResultSink
{
    private readonly Lock _gate = new();
    private readonly string _topic = topics.DeviceResults(deviceId, pipeline);
    private readonly MqttQualityOfServiceLevel _qos = options.Qos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
    private double _tokens = Math.Max(1, options.MaxPerSecond);
    private long _refilledAt = timeProvider.GetTimestamp();
    private long _published;
    private long _throttled;
    private long _notQueued;

    /// <summary>Results handed to the connection.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Results over the rate (stored only).</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Results the outgoing queue refused (broker away too long; stored only).</summary>
    public long NotQueued => Interlocked.Read(ref _notQueued);

    /// <inheritdoc />
    public void Write(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (options.MaxPerSecond > 0 && !TakeToken())
        {
            Interlocked.Increment(ref _throttled);
            return;
        }

        var message = new OutgoingMessage(_topic, result.Json, _qos) { ContentType = "application/json" };
        _ = PublishAsync(message);
    }

    private async Task PublishAsync(OutgoingMessage message)
    {
        try
        {
            Interlocked.Increment(ref _published);
            await connection.PublishAsync(message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OutgoingQueueFullException or PublishRejectedException or ObjectDisposedException)
        {
            Interlocked.Decrement(ref _published);
            Interlocked.Increment(ref _notQueued);
        }
    }

    private bool TakeToken()
    {
        lock (_gate)
        {
            var now = timeProvider.GetTimestamp();
            _tokens = Math.Min(options.MaxPerSecond, _tokens + (timeProvider.GetElapsedTime(_refilledAt, now).TotalSeconds * options.MaxPerSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
