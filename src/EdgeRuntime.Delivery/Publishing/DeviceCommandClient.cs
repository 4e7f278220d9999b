using System.Text;
using System.Text.Json;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Delivery.Publishing;

/// <summary>
/// Sends a signed command to a device and waits for its answer (MQTT 5 request/response): the command names
/// the device's replies topic for this requester as its response topic, and its nonce as correlation data.
/// </summary>
public sealed class DeviceCommandClient(MqttConnectionSupervisor connection, MqttTopics topics, TimeProvider timeProvider)
{
    /// <summary>Signs and sends <paramref name="command"/>; returns the device's reply.</summary>
    /// <exception cref="TimeoutException">No reply within <paramref name="timeout"/> (the device is offline or busy; QoS 1 delivers the command when it returns).</exception>
    public async Task<CommandReply> SendAsync(DeviceCommand command, SigningKey key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(key);
        var correlation = Encoding.UTF8.GetBytes(command.Nonce);
        var replyTopic = topics.DeviceReply(command.DeviceId, connection.ClientId);
        var replied = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await connection.SubscribeAsync(replyTopic, (message, _) =>
        {
            if (message.CorrelationData.Span.SequenceEqual(correlation))
            {
                try
                {
                    if (JsonSerializer.Deserialize(message.Payload.Span, CommandJsonContext.Default.CommandReply) is { } reply)
                    {
                        replied.TrySetResult(reply);
                    }
                }
                catch (JsonException ex)
                {
                    replied.TrySetException(new InvalidDataException($"the device's reply is not JSON: {ex.Message}", ex));
                }
            }

            return Task.CompletedTask;
        }, cancellationToken: cancellationToken))
        {
            var document = JsonSerializer.SerializeToUtf8Bytes(command, CommandJsonContext.Default.DeviceCommand);
            await connection.PublishAsync(new OutgoingMessage(topics.DeviceCommand(command.DeviceId, command.Command), SignedEnvelope.Sign(document, key).ToBytes())
            {
                ContentType = "application/json",
                ResponseTopic = replyTopic,
                CorrelationData = correlation,
            });
            return await replied.Task.WaitAsync(timeout, timeProvider, cancellationToken);
        }
    }
}
