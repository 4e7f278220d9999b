using System.Collections.Concurrent;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Messaging.Tests.Outbox;

public sealed class OutboxUploaderTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-uploader-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task StartAsync_BrokerAcknowledgedButNoReceipt_KeepsEntriesUntilTheReceiverReceipts()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreeTcpPort.Next();
        await using var broker = await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>());
        var topics = new MqttTopics();
        await using var receiver = TestSupervisors.Started($"127.0.0.1:{port}");
        await receiver.WaitUntilConnectedAsync(ct);
        var received = new ConcurrentQueue<byte[]>();
        await using var subscription = await receiver.SubscribeAsync(topics.FederatedUpdates("traffic"), (m, _) =>
        {
            received.Enqueue(m.Payload.ToArray());
            return Task.CompletedTask;
        }, cancellationToken: ct);

        using var outbox = new SqliteOutbox(Path.Combine(_folder.FullName, "outbox.db"), TimeProvider.System);
        outbox.Add(new OutboxMessage("u1", OutboxChannel.FederatedUpdate, "traffic", new byte[] { 1 }));
        outbox.Add(new OutboxMessage("u2", OutboxChannel.FederatedUpdate, "traffic", new byte[] { 2 }));
        await using var device = TestSupervisors.Started($"127.0.0.1:{port}");
        await device.WaitUntilConnectedAsync(ct);
        await using var uploader = new OutboxUploader(outbox, device, new OutboxTopics(topics, "dev"), new OutboxUploadOptions { ReceiptTimeoutSeconds = 60 }, TimeProvider.System, TestLogging.For<OutboxUploader>());
        var receiptTopic = topics.DeviceReceipts("dev");
        await uploader.StartAsync(receiptTopic, (ReceivedMessage message, out string? problem) => ReceiptDocument.TryParse(message.Payload.Span, out problem)?.ToReceipts(), ct);

        // Both arrive (the broker PUBACKed them), in order — and both are still on disk: a PUBACK is not a receipt.
        await Eventually.TrueAsync(() => received.Count >= 2, "the receiver to get both updates");
        Assert.Equal([1, 2], received.Take(2).Select(p => (int)p[0]));
        Assert.Equal(2, outbox.PendingCount);

        var receipt = new ReceiptDocument { From = "aggregator", Receipts = [new ReceiptEntry("u1", OutboxOutcome.Accepted)] };
        await receiver.PublishAsync(new OutgoingMessage(receiptTopic, receipt.ToBytes()));

        await Eventually.TrueAsync(() => outbox.PendingCount == 1, "the receipt to release u1");
        Assert.Equal("u2", Assert.Single(outbox.Pending()).Id);
        Assert.Equal(1, outbox.Counts(OutboxChannel.FederatedUpdate).Accepted);
    }
}
