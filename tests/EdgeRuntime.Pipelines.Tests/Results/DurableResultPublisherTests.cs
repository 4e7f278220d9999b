using System.Text;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Pipelines.Tests.Results;

public sealed class DurableResultPublisherTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 7, 45, 0, TimeSpan.Zero);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-durable-results-");
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _folder.Delete(recursive: true);

    private static PipelineResult Result(string stream, int interval) =>
        new("traffic", stream, Start.AddSeconds(10 * interval), 3, Encoding.UTF8.GetBytes($"{{\"stream\":\"{stream}\",\"interval\":{interval}}}"));

    [Fact]
    public void Write_Results_OnDiskInOrderAsBrokerAcknowledgedResultsOfThePipeline()
    {
        var path = Path.Combine(_folder.FullName, "outbox.db");
        using (var outbox = new SqliteOutbox(path, _time))
        {
            var publisher = new DurableResultPublisher(outbox, "traffic", new ResultOptions { Durable = true }, _time);
            publisher.Write(Result("north-1", 0));
            publisher.Write(Result("north 2/b", 0));
            publisher.Write(Result("north-1", 1));
            Assert.Equal(3, publisher.Published);
        }

        // What a restart finds.
        using var reopened = new SqliteOutbox(path, _time);
        var entries = reopened.Pending();
        Assert.Equal([$"traffic.north-1.{Start.UtcTicks}", $"traffic.north_2_b.{Start.UtcTicks}", $"traffic.north-1.{Start.AddSeconds(10).UtcTicks}"], entries.Select(e => e.Id));
        Assert.All(entries, e => Assert.Equal((OutboxChannel.PipelineResult, "traffic", OutboxRelease.OnBrokerAcknowledgement), (e.Channel, e.Name, e.Release)));
        Assert.Equal("{\"stream\":\"north-1\",\"interval\":1}", Encoding.UTF8.GetString(entries[2].Payload));
    }

    [Fact]
    public void Write_SameIntervalAgain_KeptOnce()
    {
        using var outbox = new SqliteOutbox(Path.Combine(_folder.FullName, "outbox.db"), _time);
        var publisher = new DurableResultPublisher(outbox, "traffic", new ResultOptions { Durable = true }, _time);

        publisher.Write(Result("north-1", 0));
        publisher.Write(Result("north-1", 0));

        Assert.Equal(1, outbox.PendingCount);
    }

    [Fact]
    public void Write_OverTheRateOrOutboxFull_CountedNotQueued()
    {
        using var outbox = new SqliteOutbox(Path.Combine(_folder.FullName, "outbox.db"), _time, maxEntries: 2);
        var publisher = new DurableResultPublisher(outbox, "traffic", new ResultOptions { Durable = true, MaxPerSecond = 2 }, _time);

        foreach (var i in Enumerable.Range(0, 3))
        {
            publisher.Write(Result("north-1", i));
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        publisher.Write(Result("north-1", 3));

        Assert.Equal((2, 1, 1), (publisher.Published, publisher.Throttled, publisher.NotQueued));
        Assert.Equal(2, outbox.PendingCount);
    }

    [Theory]
    [InlineData("traffic", "north-1")]
    [InlineData("a-64-character-pipeline-name-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a stream whose name is far longer than an outbox id may be, with spaces and /slashes/ in it")]
    public void IdOf_AnyStream_AValidOutboxIdEndingInTheTicks(string pipeline, string stream)
    {
        var result = new PipelineResult(pipeline, stream, Start, 1, []);

        var id = DurableResultPublisher.IdOf(result);

        Assert.Null(new OutboxMessage(id, OutboxChannel.PipelineResult, pipeline, Array.Empty<byte>()).Check());
        Assert.EndsWith($".{Start.UtcTicks}", id, StringComparison.Ordinal);
    }
}
