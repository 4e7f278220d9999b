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
    : IResultPublisher
{
    private readonly string _topic = topics.DeviceResults(deviceId, pipeline);
    private readonly MqttQualityOfServiceLevel _qos = options.Qos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
    private readonly ResultRateLimit _rate = new(options, timeProvider);
    private long _published;
    private long _notQueued;

    /// <inheritdoc />
    public long Published => Interlocked.Read(ref _published);

    /// <inheritdoc />
    public long Throttled => _rate.Throttled;

    /// <inheritdoc />
    public long NotQueued => Interlocked.Read(ref _notQueued);

    /// <inheritdoc />
    public void Write(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_rate.TryTake())
        {
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
}
