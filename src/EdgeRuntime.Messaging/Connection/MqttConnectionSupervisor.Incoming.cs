using System.Buffers;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Connection;

public sealed partial class MqttConnectionSupervisor
{
    private Task OnMessageReceived(MqttApplicationMessageReceivedEventArgs args, IMqttClient client, long connectionNumber)
    {
        // Acknowledge only once handled (below); MQTTnet would otherwise acknowledge when this returns.
        args.AutoAcknowledge = false;
        var application = args.ApplicationMessage;
        var message = new ReceivedMessage(
            application.Topic,
            application.Payload.ToArray(),
            application.QualityOfServiceLevel,
            application.Retain,
            application.ContentType,
            application.ResponseTopic,
            application.CorrelationData ?? ReadOnlyMemory<byte>.Empty);

        List<Subscription> matches;
        lock (_gate)
        {
            matches = [.. _subscriptions.Where(s => !s.IsClosed && TopicFilter.Matches(message.Topic, s.Filter))];
        }

        var delivery = new IncomingDelivery(Math.Max(matches.Count, 1), () => AcknowledgeAsync(args, client, connectionNumber));
        if (matches.Count == 0)
        {
            delivery.HandlerDone(handled: true);
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _received);
        foreach (var subscription in matches)
        {
            subscription.Post(message, delivery);
        }

        return Task.CompletedTask;
    }

    private async Task AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs args, IMqttClient client, long connectionNumber)
    {
        // A PUBACK names a packet id of the connection that delivered the message. On a later connection the
        // same id means another message, so an old delivery is left to the broker to send again.
        if (args.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ||
            !ReferenceEquals(_client, client) ||
            Interlocked.Read(ref _connectionNumber) != connectionNumber ||
            !client.IsConnected)
        {
            return;
        }

        try
        {
            await args.AcknowledgeAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection dropped between the check and the send; the broker resends the message.
        }
    }

    private async Task SubscribeMissingAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        await _subscribeLock.WaitAsync(cancellationToken);
        try
        {
            List<Subscription> missing;
            lock (_gate)
            {
                missing = [.. _subscriptions.Where(s => !s.ActiveOnBroker && !s.IsClosed)];
            }

            foreach (var subscription in missing)
            {
                var options = new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(subscription.Filter, subscription.QualityOfService)
                    .Build();
                var result = await client.SubscribeAsync(options, cancellationToken);
                var code = result.Items.First().ResultCode;
                if (code > MqttClientSubscribeResultCode.GrantedQoS2)
                {
                    LogSubscribeRefused(_logger, subscription.Filter, MqttReasonCodes.Describe((int)code));
                    continue;
                }

                subscription.ActiveOnBroker = true;
            }
        }
        finally
        {
            _subscribeLock.Release();
        }
    }

    private async ValueTask UnsubscribeAsync(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }

        await subscription.CloseAsync();
        var client = _client;
        if (client?.IsConnected != true || _stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            var options = new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(subscription.Filter).Build();
            await client.UnsubscribeAsync(options, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Gone with the connection; a lost session forgets it too, and a kept one delivers into no handler.
            LogSubscribeDeferred(_logger, subscription.Filter, ex.Message);
        }
    }
}
