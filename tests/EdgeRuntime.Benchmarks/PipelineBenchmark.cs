using System.Diagnostics;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Models;
using EdgeRuntime.Pipelines.Results;
using EdgeRuntime.Pipelines.Runtime;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Samples;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// Serving throughput and latency: the traffic pipeline (interval samples → window features → micro-batcher →
/// ONNX Runtime → forecast documents, serialised) against a bare ONNX Runtime loop that runs the same model on
/// windows built beforehand, in the same run. Batch 1 (the pipeline's batcher with MaxBatch 1) and micro-batching
/// (MaxBatch 8); throughput with a source that always has the next sample ready and keeps the daemon's default queue
/// (256) topped up, p99 latency with one sample at a time. Three model sizes: the built-in lane forecaster
/// (microseconds) and forecasters with 4-layer MLP bodies 256 and 1024 wide. Both sides use one ONNX Runtime
/// intra-op thread (--threads to change), so neither competes with spinning workers; each side is warmed up (JIT
/// tiers, ONNX Runtime's first runs) before it is measured, and the CPU time each spends per inference is printed
/// beside its rate, so that work moved to another core shows. The two sides run back to back in pairs, and the ratio
/// is the median of the pairs' ratios with their range beside it: on a shared machine the bare loop alone varies by
/// a fifth from one second to the next, and a ratio of two medians taken minutes apart says more about the machine
/// than about the pipeline. Each measurement is short (--ms) and there are many pairs (--runs).
/// </summary>
internal static class PipelineBenchmark
{
    private static readonly int QueueCapacity = new BatchingOptions().QueueCapacity;
    private static int _threads = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        var fixedSamples = BenchmarkMath.IntOption(args, "--samples", 0);
        var milliseconds = BenchmarkMath.IntOption(args, "--ms", 300);
        var runs = BenchmarkMath.IntOption(args, "--runs", 15);
        _threads = BenchmarkMath.IntOption(args, "--threads", 1);
        var only = Array.IndexOf(args, "--model") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        var onlyBatch = BenchmarkMath.IntOption(args, "--batch", 0);
        var spec = ForecastModelBuilder.LaneSpec(12);
        var length = fixedSamples > 0 ? $"{fixedSamples} samples" : $"about {milliseconds} ms";
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, ONNX Runtime {OrtEnv.Instance().GetVersionString()}; throughput over {length} per measurement, {runs} pairs (bare and pipeline back to back, order alternating) after one warm-up run per side; p50 and p99 of 5000 samples one at a time");
        Console.WriteLine("model            mode           bare inf/s  pipeline inf/s   ratio  ratio range   bare CPU µs/inf  pipeline CPU µs/inf  bare p99 ms  pipeline p50 ms  pipeline p99 ms  mean batch  bare B/inf  pipeline B/inf  pipeline GCs/1000");
        foreach (var (label, model) in new[] { ("lane forecaster", ForecastModelBuilder.Build(spec)), ("MLP 4×256", MlpForecaster(spec, 256)), ("MLP 4×1024", MlpForecaster(spec, 1024)) })
        {
            foreach (var (mode, maxBatch) in new[] { ("batch 1", 1), ("micro-batch 8", 8) })
            {
                if ((only is not null && !label.Contains(only, StringComparison.OrdinalIgnoreCase)) || (onlyBatch > 0 && onlyBatch != maxBatch))
                {
                    continue;
                }

                // The warm-up runs also size the measurement: the same number of samples on both sides, about
                // --ms of the bare loop, so that a slow model does not take minutes and every pair is over before
                // the machine's speed drifts much.
                var warmUp = BareLoop(model, spec, 2000, maxBatch);
                var samples = fixedSamples > 0 ? fixedSamples : Math.Max(1000, (int)(warmUp.Rate * milliseconds / 1000));
                _ = await PipelineLoopAsync(model, Math.Min(samples, 20000), maxBatch);
                var bare = new List<Measurement>();
                var ours = new List<Measurement>();
                for (var run = 0; run < runs; run++)
                {
                    // Back to back and in alternating order, so that a slow spell of a shared machine falls on
                    // one pair, and on either side equally often, instead of on every run of one side.
                    if (run % 2 == 0)
                    {
                        bare.Add(BareLoop(model, spec, samples, maxBatch));
                        ours.Add(await PipelineLoopAsync(model, samples, maxBatch));
                    }
                    else
                    {
                        ours.Add(await PipelineLoopAsync(model, samples, maxBatch));
                        bare.Add(BareLoop(model, spec, samples, maxBatch));
                    }
                }

                var ratios = bare.Zip(ours, (b, o) => o.Rate / b.Rate).ToList();
                var latency = await PipelineLatencyAsync(model, maxBatch);
                Console.WriteLine(
                    $"{label,-16} {mode,-13} {BenchmarkMath.Median(bare.Select(b => b.Rate)),11:0} {BenchmarkMath.Median(ours.Select(o => o.Rate)),15:0} " +
                    $"{BenchmarkMath.Median(ratios),6:0.00}× {$"{ratios.Min():0.00}–{ratios.Max():0.00}",12} " +
                    $"{BenchmarkMath.Median(bare.Select(b => b.CpuMicros)),16:0.00} {BenchmarkMath.Median(ours.Select(o => o.CpuMicros)),20:0.00} " +
                    $"{BenchmarkMath.Median(bare.Select(b => b.P99)),12:0.000} {latency.P50,16:0.000} {latency.P99,16:0.000} {BenchmarkMath.Median(ours.Select(o => o.Batch)),11:0.0} " +
                    $"{BenchmarkMath.Median(bare.Select(b => b.AllocatedBytes)),11:0} {BenchmarkMath.Median(ours.Select(o => o.AllocatedBytes)),15:0} {BenchmarkMath.Median(ours.Select(o => o.Collections)),18:0.00}");
            }
        }

        Console.WriteLine("ratio: median over the pairs of pipeline throughput / bare throughput at the same batch size; ratio range: the lowest and highest pair. Rates, CPU and p99 are medians over the runs. CPU µs/inf: process CPU time (all threads, collector included) per inference. B/inf: bytes allocated per inference (the pipeline's include the result documents). GCs/1000: gen0 collections per 1000 inferences.");
        return 0;
    }

    // The plain loop a careful user writes: prepared windows, one RunOptions, one InferenceSession.Run per batch, output read back.
    private static Measurement BareLoop(byte[] model, FeatureSpec spec, int samples, int batch)
    {
        using var options = new SessionSettings { IntraOpThreads = _threads }.ToSessionOptions();
        using var session = new InferenceSession(model, options);
        using var runOptions = new RunOptions();
        var width = spec.Window * spec.RowWidth;
        var random = new Random(1);
        var windows = Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, width * batch).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        string[] inputNames = ["window"];
        string[] outputNames = ["forecast"];
        long[] shape = [batch, spec.Window, spec.RowWidth];
        var latencies = new List<double>(samples / batch);
        var sink = 0f;
        SettleHeap();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = GC.CollectionCount(0);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < samples / batch; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var input = OrtValue.CreateTensorValueFromMemory(windows[i % windows.Length], shape);
            using var outputs = session.Run(runOptions, inputNames, [input], outputNames);
            sink += outputs[0].GetTensorDataAsSpan<float>()[0];
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var elapsed = watch.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        GC.KeepAlive(sink);
        latencies.Sort();
        var served = samples / batch * batch;
        return new Measurement(served / elapsed.TotalSeconds, cpuUsed.TotalMicroseconds / served, batch, (double)(GC.GetTotalAllocatedBytes() - allocated) / served, (GC.CollectionCount(0) - collections) * 1000.0 / served, latencies[(int)(latencies.Count * 0.99)]);
    }

    // Throughput: a source that always has the next sample and tops the queue up whenever half of it has been served,
    // timed until the last result.
    private static async Task<Measurement> PipelineLoopAsync(byte[] model, int samples, int maxBatch)
    {
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("bench", 1, ModelSession.Create(model, new SessionSettings { IntraOpThreads = _threads }), "bench"));
        var random = new Random(1);
        await using (var batcher = new MicroBatcher(server, "bench", Batching(maxBatch), TimeProvider.System))
        {
            var flow = new FlowSink(QueueCapacity);
            var options = new PipelineOptions { Name = "bench", Model = new() { Name = "bench" } };
            var pipeline = new SensorPipeline(options, new ForecastStage(options.Stage), server, batcher, [flow], TimeProvider.System);
            var prepared = Enumerable.Range(0, samples).Select(i => Sample(i, random)).ToList();
            SettleHeap();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes();
            var collections = GC.CollectionCount(0);
            var watch = Stopwatch.StartNew();
            foreach (var sample in prepared)
            {
                flow.WaitForRoom();
                if (!pipeline.Offer(sample))
                {
                    throw new InvalidOperationException($"the pipeline refused a sample (rejected {pipeline.Counters.Rejected}, failed {pipeline.Counters.Failed})");
                }
            }

            flow.WaitForAll(samples);
            var elapsed = watch.Elapsed;
            var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / samples;
            var allocatedPer = (double)(GC.GetTotalAllocatedBytes() - allocated) / samples;
            var collectionsPer = (GC.CollectionCount(0) - collections) * 1000.0 / samples;
            Check(pipeline, samples);
            return new Measurement(samples / elapsed.TotalSeconds, cpuMicros, pipeline.Counters.MeanBatch ?? 0, allocatedPer, collectionsPer);
        }
    }

    // Latency: one sample at a time, from the moment it is offered until its result document is ready; p50 and p99 in ms.
    private static async Task<(double P50, double P99)> PipelineLatencyAsync(byte[] model, int maxBatch)
    {
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("bench", 1, ModelSession.Create(model, new SessionSettings { IntraOpThreads = _threads }), "bench"));
        var random = new Random(1);
        await using var batcher = new MicroBatcher(server, "bench", Batching(maxBatch), TimeProvider.System);
        using var answered = new AutoResetEvent(false);
        var options = new PipelineOptions { Name = "bench", Model = new() { Name = "bench" } };
        var pipeline = new SensorPipeline(options, new ForecastStage(options.Stage), server, batcher, [new SignallingSink(() => answered.Set())], TimeProvider.System);
        const int Sequential = 5000;
        for (var i = 0; i < Sequential; i++)
        {
            pipeline.Offer(Sample(i, random));
            answered.WaitOne();
        }

        Check(pipeline, Sequential);
        return (pipeline.Counters.Latency.PercentileMs(0.5) ?? 0, pipeline.Counters.Latency.PercentileMs(0.99) ?? 0);
    }

    // What each side built before its clock starts (the pipeline's samples are tens of megabytes) is collected and
    // promoted now, or the first collection inside the measurement would copy it and bill that side for it.
    private static void SettleHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private static BatchingOptions Batching(int maxBatch) => new() { MaxBatch = maxBatch, MaxDelayMs = maxBatch > 1 ? 1 : 0, QueueCapacity = QueueCapacity, Overload = OverloadPolicy.Reject };

    // Sixteen lanes' 10-second intervals in turn.
    private static IntervalSample Sample(int i, Random random) => new(
        $"lane-{i % 16}",
        DateTimeOffset.UnixEpoch.AddSeconds(10 * (i / 16)),
        TimeSpan.FromSeconds(10),
        new Dictionary<string, double>(3) { ["count"] = random.Next(10), ["occupancy"] = random.NextDouble() * 0.3, ["speedKmh"] = 30 + (random.NextDouble() * 30) },
        TimeProvider.System.GetTimestamp());

    private static void Check(SensorPipeline pipeline, int samples)
    {
        // The sink hears of the last result a moment before the pipeline counts it served.
        if (!SpinWait.SpinUntil(() => pipeline.Counters.Served == samples, TimeSpan.FromSeconds(5)))
        {
            throw new InvalidOperationException($"the pipeline served {pipeline.Counters.Served} of {samples} (rejected {pipeline.Counters.Rejected}, failed {pipeline.Counters.Failed})");
        }
    }

    /// <summary>The lane forecaster's interface with a 4-layer ReLU MLP body of <paramref name="hiddenWidth"/> units.</summary>
    private static byte[] MlpForecaster(FeatureSpec spec, int hiddenWidth)
    {
        var graph = new Graph.Ir.Graph("mlp_forecast");
        var model = new Graph.Ir.Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new Graph.Ir.OpsetImport(string.Empty, 17));
        model.Metadata.Add(new KeyValuePair<string, string>(FeatureSpec.MetadataKey, spec.ToJson()));
        var width = spec.Window * spec.RowWidth;
        var window = graph.AddInput("window", new Graph.Ir.TensorType(Graph.Ir.DataType.Float, new Graph.Ir.TensorShape([Graph.Ir.Dim.Symbolic("batch"), Graph.Ir.Dim.Known(spec.Window), Graph.Ir.Dim.Known(spec.RowWidth)])));
        var hidden = graph.AddNode("Reshape", [window, graph.AddInitializer("shape", Graph.Ir.Tensor.From<long>([-1, width], [2]))], "flat").Outputs[0];
        var random = new Random(2);
        var inputs = width;
        for (var layer = 0; layer < 4; layer++)
        {
            var w = Enumerable.Range(0, inputs * hiddenWidth).Select(_ => (float)((random.NextDouble() - 0.5) * 0.1)).ToArray();
            hidden = graph.AddNode("MatMul", [hidden, graph.AddInitializer($"w{layer}", Graph.Ir.Tensor.From<float>(w, [inputs, hiddenWidth]))], $"m{layer}").Outputs[0];
            hidden = graph.AddNode("Relu", [hidden], $"r{layer}").Outputs[0];
            inputs = hiddenWidth;
        }

        var head = Enumerable.Range(0, hiddenWidth).Select(_ => (float)((random.NextDouble() - 0.5) * 0.1)).ToArray();
        graph.AddOutput(graph.AddNode("MatMul", [hidden, graph.AddInitializer("head", Graph.Ir.Tensor.From<float>(head, [hiddenWidth, 1]))], ["forecast"]).Outputs[0]!);
        return Graph.Onnx.OnnxModelWriter.ToBytes(model);
    }

    // P99: the bare loop's, per call; the pipeline's latency is measured apart (PipelineLatencyAsync).
    private readonly record struct Measurement(double Rate, double CpuMicros, double Batch, double AllocatedBytes, double Collections, double P99 = double.NaN);

    private sealed class SignallingSink(Action signal) : IResultSink
    {
        public void Write(PipelineResult result) => signal();
    }

    /// <summary>
    /// Counts results and lets the source offer while fewer than the queue's capacity are outstanding; a source that
    /// found the queue full sleeps until half of it has been served (one wake per half queue, not one per result).
    /// </summary>
    private sealed class FlowSink(int capacity) : IResultSink
    {
        private readonly ManualResetEventSlim _room = new(true);
        private long _offered;
        private long _served;

        public void Write(PipelineResult result)
        {
            var served = Interlocked.Increment(ref _served);
            if (Interlocked.Read(ref _offered) - served <= capacity / 2)
            {
                _room.Set();
            }
        }

        public void WaitForRoom()
        {
            while (Interlocked.Read(ref _offered) - Interlocked.Read(ref _served) >= capacity)
            {
                _room.Reset();
                if (Interlocked.Read(ref _offered) - Interlocked.Read(ref _served) >= capacity)
                {
                    _room.Wait();
                }
            }

            Interlocked.Increment(ref _offered);
        }

        public void WaitForAll(long total)
        {
            while (Interlocked.Read(ref _served) < total)
            {
                _room.Reset();
                if (Interlocked.Read(ref _served) < total)
                {
                    _room.Wait(TimeSpan.FromMilliseconds(1));
                }
            }
        }
    }
}
