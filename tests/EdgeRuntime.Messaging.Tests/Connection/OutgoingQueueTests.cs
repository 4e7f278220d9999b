using System.Text;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Messaging.Tests.Connection;

public sealed class OutgoingQueueTests
{
    private static OutgoingMessage Message(string topic, string payload = "x", bool replaces = false) =>
        new(topic, Encoding.UTF8.GetBytes(payload)) { ReplacesQueued = replaces };

    private static List<PendingPublish> Drain(System.Threading.Channels.ChannelReader<PendingPublish> reader)
    {
        var items = new List<PendingPublish>();
        while (reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public void Enqueue_BeyondCapacity_ThrowsAndCountsRejection()
    {
        var queue = new OutgoingQueue(capacity: 2);
        _ = queue.Enqueue(Message("a"));
        _ = queue.Enqueue(Message("b"));
        var ex = Assert.Throws<OutgoingQueueFullException>(() => { _ = queue.Enqueue(Message("c")); });
        Assert.Contains("'c' was not queued", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, queue.Count);
        Assert.Equal(1, queue.Rejected);
    }

    [Fact]
    public async Task Enqueue_ReplacesQueued_SupersedesUnsentMessageOnSameTopic()
    {
        var queue = new OutgoingQueue(10);
        var old = queue.Enqueue(Message("status", "old", replaces: true));
        var other = queue.Enqueue(Message("other", "keep", replaces: true));
        var fresh = queue.Enqueue(Message("status", "new", replaces: true));

        Assert.Equal(PublishOutcome.Superseded, await old);
        Assert.False(other.IsCompleted);
        Assert.False(fresh.IsCompleted);
        Assert.Equal(["keep", "new"], Drain(queue.Attach()).Select(p => Encoding.UTF8.GetString(p.Message.Payload.Span)));
    }

    [Fact]
    public void Enqueue_ReplacesQueued_LeavesMessageInFlightAlone()
    {
        var queue = new OutgoingQueue(10);
        var reader = queue.Attach();
        _ = queue.Enqueue(Message("status", "sending", replaces: true));
        var sending = Drain(reader).Single();
        Assert.True(queue.TryBeginSend(sending));

        _ = queue.Enqueue(Message("status", "next", replaces: true));
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void Attach_AfterLostConnection_ReplaysEverythingUnacknowledgedInOrder()
    {
        var queue = new OutgoingQueue(10);
        var first = queue.Attach();
        _ = queue.Enqueue(Message("t/1"));
        _ = queue.Enqueue(Message("t/2"));
        _ = queue.Enqueue(Message("t/3"));
        var sent = Drain(first);
        Assert.True(queue.TryBeginSend(sent[0]));
        queue.Complete(sent[0], PublishOutcome.Acknowledged);
        Assert.True(queue.TryBeginSend(sent[1]));
        queue.EndSend(sent[1]);
        queue.Detach();

        _ = queue.Enqueue(Message("t/4"));
        var replay = Drain(queue.Attach());
        Assert.Equal(["t/2", "t/3", "t/4"], replay.Select(p => p.Message.Topic));

        Assert.True(queue.TryBeginSend(replay[0]));
        Assert.Equal(1, queue.Resent);
    }

    [Fact]
    public async Task WaitUntilEmpty_LastMessageAcknowledged_Completes()
    {
        var queue = new OutgoingQueue(10);
        var reader = queue.Attach();
        var publish = queue.Enqueue(Message("t"));
        var empty = queue.WaitUntilEmptyAsync(TestContext.Current.CancellationToken);
        Assert.False(empty.IsCompleted);

        var pending = Drain(reader).Single();
        Assert.True(queue.TryBeginSend(pending));
        queue.Complete(pending, PublishOutcome.Acknowledged);

        await empty;
        Assert.Equal(PublishOutcome.Acknowledged, await publish);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Reject_BrokerRefusal_FailsPublishAndForgetsMessage()
    {
        var queue = new OutgoingQueue(10);
        var reader = queue.Attach();
        var publish = queue.Enqueue(Message("forbidden"));
        var pending = Drain(reader).Single();
        queue.Reject(pending, new PublishRejectedException("forbidden", MQTTnet.MqttClientPublishReasonCode.NotAuthorized, null));

        var ex = await Assert.ThrowsAsync<PublishRejectedException>(() => publish);
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.NotAuthorized, ex.ReasonCode);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryBeginSend(pending));
    }

    [Fact]
    public void TryBeginSend_TracksHighestConcurrency()
    {
        var queue = new OutgoingQueue(10);
        var reader = queue.Attach();
        for (var i = 0; i < 3; i++)
        {
            _ = queue.Enqueue(Message($"t/{i}"));
        }

        var items = Drain(reader);
        Assert.All(items, p => Assert.True(queue.TryBeginSend(p)));
        Assert.Equal(3, queue.InFlight);
        queue.EndSend(items[0]);
        Assert.Equal(2, queue.InFlight);
        Assert.Equal(3, queue.MaxInFlight);
    }
}
