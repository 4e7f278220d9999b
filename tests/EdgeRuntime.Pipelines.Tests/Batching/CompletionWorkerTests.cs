using System.Collections.Concurrent;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Metrics;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Tests.Batching;

/// <summary>
/// The completion worker: replies posted while it sleeps wait for the poster's wake (that is what lets the batcher
/// pay one wake for several batches), and whatever the wakes, replies arrive in the order posted.
/// </summary>
public sealed class CompletionWorkerTests
{
    [Fact]
    public async Task SleepingWorker_APostAloneDoesNotWakeIt_AWakeDeliversEverythingQueued()
    {
        var client = new OrderClient();
        using var worker = new CompletionWorker("test results");
        await Eventually.TrueAsync(() => worker.Sleeping, "the worker to fall asleep after its poll window");

        worker.Post(Request(0, client), default);
        worker.Post(Request(1, client), default);

        // Nothing wakes a sleeping worker but Wake: after 200 ms both replies still wait.
        await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, TestContext.Current.CancellationToken);
        Assert.Empty(client.Delivered);
        Assert.False(worker.Idle);

        worker.Wake();
        await Eventually.TrueAsync(() => worker.Idle, "the queued replies to be delivered");
        Assert.Equal([0, 1], client.Delivered);
    }

    [Fact]
    public async Task RepliesPostedWithWakesAtAnyPoint_ArriveInPostedOrder()
    {
        const int Replies = 20000;
        var client = new OrderClient();
        var random = new Random(5);
        using (var worker = new CompletionWorker("test results"))
        {
            for (var i = 0; i < Replies; i++)
            {
                worker.Post(Request(i, client), default);
                if (random.Next(50) == 0)
                {
                    worker.Wake();
                }

                if (random.Next(2000) == 0)
                {
                    // Long enough for the worker to run dry and fall asleep in between.
                    await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, TestContext.Current.CancellationToken);
                }
            }

            worker.Wake();
            await Eventually.TrueAsync(() => worker.Idle, $"{Replies} replies");
        }

        Assert.Equal(Enumerable.Range(0, Replies), client.Delivered);
    }

    [Fact]
    public void Dispose_DeliversWhatIsQueued_EvenUnwoken()
    {
        var client = new OrderClient();
        var worker = new CompletionWorker("test results");
        for (var i = 0; i < 100; i++)
        {
            worker.Post(Request(i, client), default);
        }

        worker.Dispose();
        Assert.Equal(Enumerable.Range(0, 100), client.Delivered);
    }

    private static InferenceRequest Request(int index, IInferenceClient client) =>
        new(new IntervalSample(index.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(1), new Dictionary<string, double>(), 0), new PreparedInput("x", [index], [1]), new PipelineCounters(), client);

    private sealed class OrderClient : IInferenceClient
    {
        public ConcurrentQueue<int> Delivered { get; } = new();

        public void OnReply(InferenceRequest request, InferenceReply reply) =>
            Delivered.Enqueue(int.Parse(request.Sample.Stream, System.Globalization.CultureInfo.InvariantCulture));

        public void OnFailure(InferenceRequest request, Exception error) => throw new InvalidOperationException("no failures are posted here", error);
    }
}
