using System.Collections.Concurrent;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Metrics;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Tests.Batching;

/// <summary>
/// The batcher's queue: bounded with either overload policy, every request read once or accounted for, in order per
/// writer, and a waiting reader always woken: by a write, or by completion.
/// </summary>
public sealed class RequestQueueTests
{
    [Fact]
    public void Reject_WhenFull_RefusesTheNewRequest_KeepsTheWaitingOnesInOrder()
    {
        using var queue = new RequestQueue(3, dropOldest: false);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(queue.TryWrite(Request(i), out var dropped));
            Assert.Null(dropped);
        }

        Assert.False(queue.TryWrite(Request(3), out var none));
        Assert.Null(none);
        Assert.Equal(3, queue.Count);
        Assert.Equal([0, 1, 2], ReadAll(queue));
        Assert.Equal(0, queue.Count);
        Assert.True(queue.TryWrite(Request(4), out _));
    }

    [Fact]
    public void DropOldest_WhenFull_TakesTheOldestOutAndHandsItBack()
    {
        using var queue = new RequestQueue(3, dropOldest: true);
        var dropped = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            Assert.True(queue.TryWrite(Request(i), out var oldest));
            if (oldest is not null)
            {
                dropped.Add(Index(oldest));
            }
        }

        Assert.Equal([0, 1, 2, 3], dropped);
        Assert.Equal([4, 5, 6], ReadAll(queue));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FourWritersOneReader_EveryRequestReadOnceOrAccountedFor_InOrderPerWriter(bool dropOldest)
    {
        const int Writers = 4;
        const int PerWriter = 50_000;
        using var queue = new RequestQueue(64, dropOldest);
        var read = new List<InferenceRequest>();
        var refused = new ConcurrentBag<InferenceRequest>();
        var dropped = new ConcurrentBag<InferenceRequest>();
        var reader = Reader(queue, request => read.Add(request));

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(
            () =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    var request = Request((w * PerWriter) + i);
                    if (!queue.TryWrite(request, out var oldest))
                    {
                        refused.Add(request);
                    }

                    if (oldest is not null)
                    {
                        dropped.Add(oldest);
                    }
                }
            },
            TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(writers);
        queue.Complete();
        await Eventually.CompletesAsync(reader, "the reader to see the completed queue");

        // Everything written is read, refused or dropped, exactly once.
        var all = read.Concat(refused).Concat(dropped).Select(Index).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Writers * PerWriter), all);
        Assert.True(dropOldest ? refused.IsEmpty : dropped.IsEmpty);
        Assert.Equal(0, queue.Count);

        // Each writer's requests are read in the order it wrote them.
        foreach (var writer in read.Select(Index).GroupBy(i => i / PerWriter))
        {
            Assert.Equal(writer.Order(), writer);
        }
    }

    [Fact]
    public async Task WaitingReader_IsWokenByEveryWrite_EvenWhenTheWriteLandsAsItStartsToWait()
    {
        // One request at a time, each written after a random pause, so that over many rounds writes land in every
        // part of the reader's way into a wait. A lost wake leaves a written request unread: the round times out.
        const int Rounds = 20_000;
        using var queue = new RequestQueue(4, dropOldest: false);
        var read = 0;
        var reader = Reader(queue, _ => Interlocked.Increment(ref read));

        var random = new Random(7);
        for (var i = 0; i < Rounds; i++)
        {
            Thread.SpinWait(random.Next(64));
            Assert.True(queue.TryWrite(Request(i), out _));
            var taken = i + 1;
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref read) == taken, TimeSpan.FromSeconds(10)), $"request {i} was written but the reader never woke for it");
        }

        queue.Complete();
        await Eventually.CompletesAsync(reader, "the reader to stop");
    }

    [Fact]
    public async Task Complete_WakesAWaitingReader_AndRefusesWrites()
    {
        using var queue = new RequestQueue(4, dropOldest: false);
        var waiting = Task.Factory.StartNew(() => queue.Wait(Timeout.Infinite), TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);

        queue.Complete();
        Assert.Equal(QueueWait.Completed, await Eventually.CompletesAsync(waiting, "the waiting reader to learn of completion"));
        Assert.False(queue.TryWrite(Request(0), out _));
    }

    [Fact]
    public void Complete_WithRequestsLeft_ReaderStillTakesThem()
    {
        using var queue = new RequestQueue(4, dropOldest: false);
        Assert.True(queue.TryWrite(Request(1), out _));
        queue.Complete();

        Assert.Equal(QueueWait.Ready, queue.Wait(Timeout.Infinite));
        Assert.Equal([1], ReadAll(queue));
        Assert.Equal(QueueWait.Completed, queue.Wait(Timeout.Infinite));
    }

    [Fact]
    public void Wait_OnAnEmptyQueue_TimesOut_AndIsReadyAgainOnceWritten()
    {
        using var queue = new RequestQueue(4, dropOldest: false);
        Assert.Equal(QueueWait.TimedOut, queue.Wait(2));
        Assert.True(queue.TryWrite(Request(1), out _));
        Assert.Equal(QueueWait.Ready, queue.Wait(2));
    }

    // The batcher's loop on a thread of its own: wait, take everything, until the queue is completed and empty.
    private static Task Reader(RequestQueue queue, Action<InferenceRequest> take) =>
        Task.Factory.StartNew(
            () =>
            {
                while (queue.Wait(Timeout.Infinite) != QueueWait.Completed)
                {
                    while (queue.TryRead(out var request))
                    {
                        take(request);
                    }
                }
            },
            TestContext.Current.CancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private static List<int> ReadAll(RequestQueue queue)
    {
        var indices = new List<int>();
        while (queue.TryRead(out var request))
        {
            indices.Add(Index(request));
        }

        return indices;
    }

    private static int Index(InferenceRequest request) => int.Parse(request.Sample.Stream, System.Globalization.CultureInfo.InvariantCulture);

    private static InferenceRequest Request(int index) =>
        new(new IntervalSample(index.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(1), new Dictionary<string, double>(), 0), new PreparedInput("x", [index], [1]), new PipelineCounters(), NoClient.Instance);

    private sealed class NoClient : IInferenceClient
    {
        public static readonly NoClient Instance = new();

        public void OnReply(InferenceRequest request, InferenceReply reply)
        {
        }

        public void OnFailure(InferenceRequest request, Exception error)
        {
        }
    }
}
