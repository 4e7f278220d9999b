using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Pipelines.Configuration;
using MQTTnet.Protocol;

namespace EdgeRuntime.Pipelines.Results;

/// <summary>
/// Publishes a pipeline's results on <c>{root}/devices/{id}/results/{pipeline}</c> at the configured QoS, through the
/// connection's outgoing queue (in memory while the broker is away), within the rate limit of
/// <see cref="ResultPublisher"/>. A full outgoing queue is counted, never waited on.
/// </summary>
public sealed class MqttResultPublisher(MqttConnectionSupervisor connection, MqttTopics topics, string deviceId, string pipeline, ResultOptions options, TimeProvider timeProvider)
    : ResultPublisher(options, timeProvider)
{
    private readonly string _topic = topics.DeviceResults(deviceId, pipeline);
    private readonly MqttQualityOfServiceLevel _qos = options.Qos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;

    /// <inheritdoc />
    protected override void Send(PipelineResult result)
    {
        var message = new OutgoingMessage(_topic, result.Json, _qos) { ContentType = "application/json" };
        _ = PublishAsync(message);
    }

    private async Task PublishAsync(OutgoingMessage message)
    {
        try
        {
            Counted(handedOn: true);
            await connection.PublishAsync(message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OutgoingQueueFullException or PublishRejectedException or ObjectDisposedException)
        {
            Recount();
        }
    }
}
