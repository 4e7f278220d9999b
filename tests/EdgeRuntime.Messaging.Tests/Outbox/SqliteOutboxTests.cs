using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Messaging.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Messaging.Tests.Outbox;

public sealed class SqliteOutboxTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-outbox-test-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name = "outbox.db") => Path.Combine(_folder.FullName, "nested", name);

    private static OutboxMessage Update(string id) => new(id, OutboxChannel.FederatedUpdate, "traffic", new byte[] { 1, 2, 3 });

    [Fact]
    public void Add_ThenReopen_EntriesKeptInSequenceOrderWithTheirBytes()
    {
        using (var outbox = new SqliteOutbox(PathOf(), _time))
        {
            outbox.Add(Update("u1"));
            outbox.Add(Update("u2"));
            outbox.Add(Update("u3"));
        }

        using var reopened = new SqliteOutbox(PathOf(), _time);
        var pending = reopened.Pending();

        Assert.Equal(["u1", "u2", "u3"], pending.Select(e => e.Id));
        Assert.True(pending[0].Sequence < pending[1].Sequence && pending[1].Sequence < pending[2].Sequence);
        Assert.Equal(new byte[] { 1, 2, 3 }, pending[2].Payload);
        Assert.Equal(3, reopened.PendingCount);
    }

    [Fact]
    public void Add_SameIdTwice_OneEntry()
    {
        using var outbox = new SqliteOutbox(PathOf(), _time);

        var first = outbox.Add(Update("u1"));
        var again = outbox.Add(Update("u1"));

        Assert.Equal(first, again);
        Assert.Equal(1, outbox.PendingCount);
    }

    [Fact]
    public void Release_ReceiptsForSomeIds_DeletesOnlyThoseAndCountsOutcomesOnce()
    {
        using var outbox = new SqliteOutbox(PathOf(), _time);
        outbox.Add(Update("u1"));
        outbox.Add(Update("u2"));
        outbox.Add(Update("u3"));

        var released = outbox.Release([new OutboxReceipt("u1", OutboxOutcome.Accepted), new OutboxReceipt("u3", OutboxOutcome.Expired, "stale")]);
        var repeated = outbox.Release([new OutboxReceipt("u1", OutboxOutcome.Accepted)]);
        var counts = outbox.Counts(OutboxChannel.FederatedUpdate);

        Assert.Equal(2, released);
        Assert.Equal(0, repeated);
        Assert.Equal(["u2"], outbox.Pending().Select(e => e.Id));
        Assert.Equal(1, counts.Accepted);
        Assert.Equal(1, counts.Expired);
        Assert.Equal(1, counts.Pending);
    }

    [Fact]
    public void Add_Full_ThrowsOutboxFullAndKeepsWhatItHas()
    {
        using var outbox = new SqliteOutbox(PathOf(), _time, maxEntries: 2);
        outbox.Add(Update("u1"));
        outbox.Add(Update("u2"));

        Assert.Throws<OutboxFullException>(() => outbox.Add(Update("u3")));
        Assert.Equal(2, outbox.PendingCount);
    }

    [Fact]
    public void Add_BadId_ThrowsNamingIt()
    {
        using var outbox = new SqliteOutbox(PathOf(), _time);

        var ex = Assert.Throws<ArgumentException>(() => outbox.Add(Update("has space")));

        Assert.Contains("has space", ex.Message, StringComparison.Ordinal);
    }

    private static OutboxMessage Result(string id) => new(id, OutboxChannel.PipelineResult, "traffic", new byte[] { 9 }, OutboxRelease.OnBrokerAcknowledgement);

    [Fact]
    public void Add_ChannelAtItsLimit_RefusedWhileOtherChannelsStillAdd_AndAgainAfterARelease()
    {
        using (var outbox = new SqliteOutbox(PathOf(), _time, maxEntries: 10, new Dictionary<OutboxChannel, int> { [OutboxChannel.PipelineResult] = 2 }))
        {
            outbox.Add(Result("r1"));
            outbox.Add(Result("r2"));

            Assert.Throws<OutboxFullException>(() => outbox.Add(Result("r3")));
            outbox.Add(Update("u1"));
            Assert.Equal(2, outbox.PendingOf(OutboxChannel.PipelineResult));
        }

        // The per-channel count survives a reopen; a release makes room.
        using var reopened = new SqliteOutbox(PathOf(), _time, maxEntries: 10, new Dictionary<OutboxChannel, int> { [OutboxChannel.PipelineResult] = 2 });
        Assert.Throws<OutboxFullException>(() => reopened.Add(Result("r3")));
        reopened.Release([new OutboxReceipt("r1", OutboxOutcome.Delivered)]);
        reopened.Add(Result("r3"));
        Assert.Equal(["r2", "u1", "r3"], reopened.Pending().Select(e => e.Id));
    }

    [Fact]
    public void Window_ManyEntriesWaitingForReceipts_BrokerAcknowledgedEntriesBehindThemStillInTheWindow()
    {
        using var outbox = new SqliteOutbox(PathOf(), _time);
        foreach (var i in Enumerable.Range(1, 5))
        {
            outbox.Add(Update($"u{i}"));
        }

        outbox.Add(Result("r1"));
        outbox.Add(Update("u6"));
        outbox.Add(Result("r2"));

        var window = outbox.Window(3);

        Assert.Equal(["u1", "u2", "u3", "r1", "r2"], window.Select(e => e.Id));
    }
}
