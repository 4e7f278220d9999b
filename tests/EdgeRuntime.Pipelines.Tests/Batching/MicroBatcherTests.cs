using System.Collections.Concurrent;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Metrics;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Samples;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Pipelines.Tests.Batching;

/// <summary>
/// The batcher's hot path: buffers bound to the session, results written by its completion worker while the next
/// batch runs. Every reply must still carry its own request's outputs, in the order the requests ran.
/// </summary>
public sealed class MicroBatcherTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task ManyQueuedRequests_EachReplyCarriesItsOwnOutputs_InOrder(int maxBatch)
    {
        const int Requests = 3000;
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("double", 1, ModelSession.Create(Doubling(), new SessionSettings { IntraOpThreads = 1 }), "test"));
        var client = new RecordingClient();
        var counters = new PipelineCounters();
        await using (var batcher = new MicroBatcher(server, "double", new BatchingOptions { MaxBatch = maxBatch, MaxDelayMs = 0, QueueCapacity = Requests }, TimeProvider.System))
        {
            for (var i = 0; i < Requests; i++)
            {
                Assert.True(batcher.Offer(Request(i, [i, -i], counters, client)));
            }

            await Eventually.TrueAsync(() => client.Replies.Count == Requests, $"{Requests} replies");
        }

        Assert.Empty(client.Failures);
        Assert.Equal(Enumerable.Range(0, Requests), client.Replies.Select(r => r.Index));
        Assert.All(client.Replies, r => Assert.Equal([2f * r.Index, -2f * r.Index], r.Values));
    }

    [Theory]
    [InlineData(100, "100000")]
    [InlineData(0, null)]
    public async Task ThreadSlice_BatcherAndResultThreadsAskTheSchedulerForIt_ZeroLeavesTheKernelsDefault(int microseconds, string? expected)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/proc/self/sched"), "slices are read from Linux");
        var accepted = false;
        var probe = new Thread(() => accepted = EdgeRuntime.Core.Compute.ThreadCpuClock.RequestSlice(TimeSpan.FromMicroseconds(100)));
        probe.Start();
        probe.Join();
        Assert.SkipUnless(accepted && EdgeRuntime.Core.Compute.ThreadCpuClock.HonoursSliceRequests, "this kernel refuses sched_setattr or ignores slice requests (before Linux 6.12)");
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("slice", 1, ModelSession.Create(Doubling(), new SessionSettings { IntraOpThreads = 1 }), "test"));
        var client = new RecordingClient();
        var defaultSlice = SchedField("/proc/self/sched", "se.slice");
        await using var batcher = new MicroBatcher(server, "slice", new BatchingOptions { ThreadSliceMicroseconds = microseconds }, TimeProvider.System);
        Assert.True(batcher.Offer(Request(0, [1, 2], new PipelineCounters(), client)));
        await Eventually.TrueAsync(() => client.Replies.Count == 1, "one reply");

        // The threads are named "batcher slice" and "results slice" (Linux keeps the first 15 characters).
        var slices = Directory.EnumerateDirectories("/proc/self/task")
            .Select(t => (Name: File.ReadAllText(Path.Combine(t, "comm")).Trim(), Slice: SchedField(Path.Combine(t, "sched"), "se.slice")))
            .Where(t => t.Name is "batcher slice" or "results slice")
            .ToList();
        Assert.Equal(2, slices.Count);
        Assert.All(slices, t => Assert.Equal(expected ?? defaultSlice, t.Slice));
    }

    // "se.slice      :    1400000" → "1400000".
    private static string? SchedField(string path, string name) =>
        File.ReadLines(path).Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault();

    [Fact]
    public async Task ModelSlowerThanTheWorkersPoll_RepliesDeferredUnderLoad_AllArriveInOrder_NoneWaitsForTheNextRequest()
    {
        // Each run takes far longer than the completion worker polls, so under load the batcher hands it several
        // batches' replies per wake. Whatever is still deferred when the queue runs dry must be written then.
        const int Flood = 293;
        const int Burst = 4;
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("slow", 1, ModelSession.Create(Doubling(loadWidth: 1024, loadLayers: 3), new SessionSettings { IntraOpThreads = 1 }), "test"));
        var client = new RecordingClient();
        var counters = new PipelineCounters();
        await using (var batcher = new MicroBatcher(server, "slow", new BatchingOptions { MaxBatch = 1, MaxDelayMs = 0, QueueCapacity = Flood }, TimeProvider.System))
        {
            for (var i = 0; i < Flood; i++)
            {
                Assert.True(batcher.Offer(Request(i, [i, -i], counters, client)));
            }

            await Eventually.TrueAsync(() => client.Replies.Count == Flood, $"{Flood} replies");

            // A burst that finds the worker asleep: the first batches' replies are deferred (others wait behind
            // them), and the last batch leaves the queue empty, so all of them are due now, not at the next request.
            await Eventually.TrueAsync(() => batcher.CompletionWorkerSleeping, "the completion worker to fall asleep");
            for (var i = Flood; i < Flood + Burst; i++)
            {
                Assert.True(batcher.Offer(Request(i, [i, -i], counters, client)));
            }

            await Eventually.TrueAsync(() => client.Replies.Count == Flood + Burst, "the burst's replies", TimeSpan.FromSeconds(10));
        }

        Assert.Empty(client.Failures);
        Assert.Equal(Enumerable.Range(0, Flood + Burst), client.Replies.Select(r => r.Index));
        Assert.All(client.Replies, r => Assert.Equal([2f * r.Index, -2f * r.Index], r.Values));
    }

    [Fact]
    public async Task RequestsArrivingWithinMaxDelay_JoinOneBatch_AnotherShapeWaitsForTheNext()
    {
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("double", 1, ModelSession.Create(Doubling()), "test"));
        var client = new RecordingClient();
        var counters = new PipelineCounters();
        await using (var batcher = new MicroBatcher(server, "double", new BatchingOptions { MaxBatch = 8, MaxDelayMs = 1000 }, TimeProvider.System))
        {
            Assert.True(batcher.Offer(Request(0, [0, 1], counters, client)));

            // The batcher is now waiting up to a second for company.
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, TestContext.Current.CancellationToken);
            Assert.Empty(client.Replies);
            Assert.True(batcher.Offer(Request(1, [1, 1], counters, client)));
            Assert.True(batcher.Offer(Request(2, [2, 1], counters, client)));
            Assert.True(batcher.Offer(new InferenceRequest(Request(3, [], counters, client).Sample, new PreparedInput("x", [3, 1, 0, 0], [4]), counters, client)));
            await Eventually.TrueAsync(() => client.Replies.Count + client.Failures.Count == 4, "four outcomes");
        }

        // The first three ran together when the fourth (another shape) arrived; the fourth ran alone after them. Its
        // shape does not fit the model, so it failed, and it did not take the others down with it.
        Assert.Equal([0, 1, 2], client.Replies.Select(r => r.Index));
        Assert.All(client.Replies, r => Assert.Equal(3, r.BatchSize));
        Assert.Single(client.Failures);
    }

    [Fact]
    public async Task BatchFillsBeforeMaxDelay_RunsAtOnce()
    {
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("double", 1, ModelSession.Create(Doubling()), "test"));
        var client = new RecordingClient();
        var counters = new PipelineCounters();
        await using (var batcher = new MicroBatcher(server, "double", new BatchingOptions { MaxBatch = 4, MaxDelayMs = 60_000 }, TimeProvider.System))
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.True(batcher.Offer(Request(i, [i, i], counters, client)));
            }

            // A full batch does not wait out the minute.
            await Eventually.TrueAsync(() => client.Replies.Count == 4, "a full batch's replies", TimeSpan.FromSeconds(20));
        }

        Assert.Empty(client.Failures);
        Assert.Equal([0, 1, 2, 3], client.Replies.Select(r => r.Index));
    }

    [Fact]
    public async Task OutputLengthFollowsTheValues_AfterTheFirstShapeIsBound_EveryReplyStillRight()
    {
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("range", 1, ModelSession.Create(CodeBuiltModels.RangeOfSum()), "test"));
        var client = new RecordingClient();
        var counters = new PipelineCounters();
        float[][] inputs = [[1, 2], [1, 2], [2, 1.5f], [0.5f, 0.5f], [1, 2], [4, 4]];
        await using (var batcher = new MicroBatcher(server, "range", new BatchingOptions { MaxBatch = 1, MaxDelayMs = 0 }, TimeProvider.System))
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                Assert.True(batcher.Offer(Request(i, inputs[i], counters, client)));

                // One at a time: the first run shows the output's length, the second runs bound, the third no longer fits.
                await Eventually.TrueAsync(() => client.Replies.Count + client.Failures.Count == i + 1, $"reply {i}");
            }
        }

        Assert.Empty(client.Failures);
        Assert.Equal(inputs.Select(x => (int)Math.Ceiling(x.Sum())), client.Replies.Select(r => r.Values.Length));
    }

    private static InferenceRequest Request(int index, float[] data, PipelineCounters counters, IInferenceClient client) =>
        new(new IntervalSample(index.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(1), new Dictionary<string, double>(), 0), new PreparedInput("x", data, [2]), counters, client);

    // x [batch, 2] → 2x; with loadLayers > 0, also a second output that costs that many loadWidth×loadWidth MatMuls
    // of x, so that a run takes hundreds of microseconds.
    private static byte[] Doubling(int loadWidth = 0, int loadLayers = 0)
    {
        var graph = new Graph.Ir.Graph("double");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(2)])));
        graph.AddOutput(graph.AddNode("Mul", [x, graph.AddInitializer("two", Tensor.From<float>([2f], []))], ["y"]).Outputs[0]!);
        if (loadLayers > 0)
        {
            var random = new Random(3);
            float[] Weights(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5) / loadWidth)];
            var hidden = graph.AddNode("MatMul", [x, graph.AddInitializer("w_in", Tensor.From<float>(Weights(2 * loadWidth), [2, loadWidth]))], "spread").Outputs[0];
            for (var layer = 0; layer < loadLayers; layer++)
            {
                hidden = graph.AddNode("MatMul", [hidden, graph.AddInitializer($"w{layer}", Tensor.From<float>(Weights(loadWidth * loadWidth), [loadWidth, loadWidth]))], $"load{layer}").Outputs[0];
            }

            graph.AddOutput(graph.AddNode("ReduceSum", [hidden], ["load"], attributes: [Graph.Ir.Attribute.FromInt("keepdims", 0)]).Outputs[0]!);
        }

        return OnnxModelWriter.ToBytes(model);
    }

    private sealed class RecordingClient : IInferenceClient
    {
        public ConcurrentQueue<(int Index, float[] Values, int BatchSize)> Replies { get; } = new();

        public ConcurrentQueue<Exception> Failures { get; } = new();

        public void OnReply(InferenceRequest request, InferenceReply reply) =>
            Replies.Enqueue((int.Parse(request.Sample.Stream, System.Globalization.CultureInfo.InvariantCulture), reply.Output(0).Values.ToArray(), reply.BatchSize));

        public void OnFailure(InferenceRequest request, Exception error) => Failures.Enqueue(error);
    }
}
