using System.Buffers;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Connection;

public sealed partial class MqttConnectionSupervisor
{
    private Task OnMessageReceived(MqttApplicationMessageReceivedEventArgs args, long connectionNumber)
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

        var delivery = (Func<Task>)(() => AcknowledgeAsync(args));
        lock (_gate)
        {
            // Matched and handed over under one lock with SubscribeAsync's claim, so a message never overtakes one held
            // before it on the same topic (the channel write does not block).
            var matches = Matching(message.Topic);
            if (matches.Count > 0)
            {
                Dispatch(message, delivery, matches);
                return Task.CompletedTask;
            }

            if (_holdingUnclaimed && _heldAtStart.Exists(filter => TopicFilter.Matches(message.Topic, filter)))
            {
                // A kept session delivers what waited for the device right after CONNACK, while the services of this
                // process are still subscribing their handlers: hold it, unacknowledged, for the one that claims it.
                HoldUnclaimed(new UnclaimedMessage(message, delivery, connectionNumber));
                return Task.CompletedTask;
            }
        }

        // Any other message without a handler is a leftover (a chunk after its download ended): acknowledged at once,
        // because an unacknowledged one takes a slot of the broker's in-flight window for this client.
        _ = delivery();
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
    private void HoldUnclaimed(UnclaimedMessage unclaimed)
    {
        if (_unclaimed.Count >= MaxHeldAtStart)
        {
            var oldest = _unclaimed[0];
            _unclaimed.RemoveAt(0);
            LogUnclaimedDropped(_logger, oldest.Message.Topic, $"more than {MaxHeldAtStart} messages waited for a handler at start");
            _ = oldest.Acknowledge();
        }

        _unclaimed.Add(unclaimed);
    }

    /// <summary>
    /// Hands the held messages that <paramref name="subscription"/> matches, in arrival order, to every handler that matches
    /// them now. Call under <c>_gate</c>, in the same hold as adding the subscription.
    /// </summary>
    private void ClaimUnclaimed(Subscription subscription)
    {
        for (var i = 0; i < _unclaimed.Count; i++)
        {
            var held = _unclaimed[i];
            if (TopicFilter.Matches(held.Message.Topic, subscription.Filter))
            {
                _unclaimed.RemoveAt(i--);
                Dispatch(held.Message, held.Acknowledge, Matching(held.Message.Topic));
            }
        }
    }

    /// <summary>
    /// A connection that resumed the session: the broker sends again what it had not had acknowledged, so copies held from
    /// earlier connections would be handled twice and are let go (without acknowledging: their connection is gone).
    /// </summary>
    private void ForgetHeldFromEarlierConnections(long connectionNumber)
    {
        lock (_gate)
        {
            _unclaimed.RemoveAll(u => u.ConnectionNumber < connectionNumber);
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
    private sealed record UnclaimedMessage(ReceivedMessage Message, Func<Task> Acknowledge, long ConnectionNumber);

    private static async Task AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        // A PUBACK names a packet id of the connection that delivered the message, and every connection has a client of
        // its own: acknowledging through that client can never name another message. Its connection may already be
        // gone (the send fails; the broker sends the message again), or not yet marked connected (a message delivered
        // right after CONNACK, before ConnectAsync returned): the PUBACK is sent all the same, so no message keeps a
        // slot of the broker's in-flight window until the next connection.
        if (args.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
        {
            return;
        }

        try
        {
            await args.AcknowledgeAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection dropped; the broker resends the message.
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
