using MQTTnet;

namespace EdgeRuntime.Messaging.Connection;

public sealed partial class MqttConnectionSupervisor
{
    /// <summary>
    /// Sends queued messages on one connection, at most <paramref name="receiveMaximum"/> unacknowledged
    /// at a time, until the connection ends. Returns after every send it started has finished.
    /// </summary>
    private async Task PumpAsync(IMqttClient client, int receiveMaximum, CancellationToken connectionToken)
    {
        var reader = _outgoing.Attach();
        using var slots = new SemaphoreSlim(receiveMaximum, receiveMaximum);
        var sends = new List<Task>();
        try
        {
            await foreach (var pending in reader.ReadAllAsync(connectionToken))
            {
                await slots.WaitAsync(connectionToken);
                if (!_outgoing.TryBeginSend(pending))
                {
                    slots.Release();
                    continue;
                }

                sends.RemoveAll(task => task.IsCompleted);
                sends.Add(SendAsync(client, pending, slots, connectionToken));
            }
        }
        catch (OperationCanceledException) when (connectionToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(sends);
    }

    private async Task SendAsync(IMqttClient client, PendingPublish pending, SemaphoreSlim slots, CancellationToken connectionToken)
    {
        try
        {
            var message = ToApplicationMessage(pending.Message);
            var result = await client.PublishAsync(message, connectionToken);
            if (result.IsSuccess)
            {
                _outgoing.Complete(pending, pending.Message.QualityOfService == MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce ? PublishOutcome.Sent : PublishOutcome.Acknowledged);
            }
            else if (result.ReasonCode is MqttClientPublishReasonCode.QuotaExceeded or MqttClientPublishReasonCode.PacketIdentifierInUse)
            {
                // Transient on the broker's side: the message stays queued and goes again on the next connection.
                LogPublishDeferred(_logger, pending.Message.Topic, MqttReasonCodes.Describe((int)result.ReasonCode));
            }
            else
            {
                var rejection = new PublishRejectedException(pending.Message.Topic, result.ReasonCode, result.ReasonString);
                LogPublishRejected(_logger, pending.Message.Topic, MqttReasonCodes.Describe((int)result.ReasonCode), result.ReasonString ?? string.Empty);
                _outgoing.Reject(pending, rejection);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection is gone (or going): the message stays queued and is resent on the next one.
        }
        finally
        {
            _outgoing.EndSend(pending);
            slots.Release();
        }
    }

    private static MqttApplicationMessage ToApplicationMessage(OutgoingMessage message)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload.ToArray())
            .WithQualityOfServiceLevel(message.QualityOfService)
            .WithRetainFlag(message.Retain);
        if (message.ContentType is not null)
        {
            builder.WithContentType(message.ContentType);
        }

        if (message.ResponseTopic is not null)
        {
            builder.WithResponseTopic(message.ResponseTopic);
        }

        if (!message.CorrelationData.IsEmpty)
        {
            builder.WithCorrelationData(message.CorrelationData.ToArray());
        }

        return builder.Build();
    }
}
