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

        var delivery = (Func<Task>)(() => AcknowledgeAsync(args, client, connectionNumber));
        List<Subscription> matches;
        lock (_gate)
        {
            matches = Matching(message.Topic);
            if (matches.Count == 0 && _holdingUnclaimed)
            {
                // A kept session delivers what waited for the device right after CONNACK, while the services of this
                // process are still subscribing their handlers: hold it, unacknowledged, for the one that claims it.
                HoldUnclaimed(message, delivery);
                return Task.CompletedTask;
            }
        }

        if (matches.Count == 0)
        {
            // Once started, a message without a handler is a leftover (a chunk after its download ended): acknowledged at
            // once, because an unacknowledged one takes a slot of the broker's in-flight window for this client.
            _ = delivery();
            return Task.CompletedTask;
        }

        Dispatch(message, delivery, matches);
        return Task.CompletedTask;
    }

    /// <summary>The open subscriptions whose filter matches <paramref name="topic"/>. Call under <c>_gate</c>.</summary>
    private List<Subscription> Matching(string topic) => [.. _subscriptions.Where(s => !s.IsClosed && TopicFilter.Matches(topic, s.Filter))];

    private void Dispatch(ReceivedMessage message, Func<Task> acknowledge, List<Subscription> matches)
    {
        var delivery = new IncomingDelivery(matches.Count, acknowledge);
        Interlocked.Increment(ref _received);
        foreach (var subscription in matches)
        {
            subscription.Post(message, delivery);
        }
    }

    /// <summary>Holds a message no handler claims yet. Call under <c>_gate</c>.</summary>
    private void HoldUnclaimed(ReceivedMessage message, Func<Task> acknowledge)
    {
        if (_unclaimed.Count >= MaxHeldAtStart)
        {
            var oldest = _unclaimed[0];
            _unclaimed.RemoveAt(0);
            LogUnclaimedDropped(_logger, oldest.Message.Topic, $"more than {MaxHeldAtStart} messages waited for a handler at start");
            _ = oldest.Acknowledge();
        }

        _unclaimed.Add(new UnclaimedMessage(message, acknowledge));
    }

    /// <summary>Hands the held messages that <paramref name="subscription"/> matches to every handler that matches them now.</summary>
    private void ClaimUnclaimed(Subscription subscription)
    {
        List<(UnclaimedMessage Held, List<Subscription> Matches)> claimed = [];
        lock (_gate)
        {
            for (var i = 0; i < _unclaimed.Count; i++)
            {
                var held = _unclaimed[i];
                if (TopicFilter.Matches(held.Message.Topic, subscription.Filter))
                {
                    claimed.Add((held, Matching(held.Message.Topic)));
                    _unclaimed.RemoveAt(i--);
                }
            }
        }

        foreach (var (held, matches) in claimed)
        {
            Dispatch(held.Message, held.Acknowledge, matches);
        }
    }

    /// <summary>
    /// Ends the start: acknowledges and drops what no handler claimed within <see cref="HoldAtStart"/> (topics this process
    /// no longer handles, left subscribed in a kept session), so they do not come back with every connection.
    /// </summary>
    private void EndHoldAtStart()
    {
        List<UnclaimedMessage> unclaimed;
        lock (_gate)
        {
            _holdingUnclaimed = false;
            unclaimed = [.. _unclaimed];
            _unclaimed.Clear();
        }

        foreach (var held in unclaimed)
        {
            LogUnclaimedDropped(_logger, held.Message.Topic, $"no handler subscribed to it within {HoldAtStart.TotalSeconds:0} s of the start");
            _ = held.Acknowledge();
        }
    }

    /// <summary>An incoming message that matched no handler when it arrived; acknowledged once handled or given up.</summary>
    private sealed record UnclaimedMessage(ReceivedMessage Message, Func<Task> Acknowledge);

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
            // Gone with the connection; a lost session forgets it too, and what a kept one delivers is held, then dropped.
            LogSubscribeDeferred(_logger, subscription.Filter, ex.Message);
        }
    }
}
