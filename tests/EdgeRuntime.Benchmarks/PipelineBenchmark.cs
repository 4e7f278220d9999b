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
/// (MaxBatch 8); throughput with every sample queued at once, p99 latency with one sample at a time. Three model
/// sizes: the built-in lane forecaster (microseconds) and forecasters with 4-layer MLP bodies 256 and 1024 wide.
/// Both sides use one ONNX Runtime intra-op thread (--threads to change), so neither competes with spinning workers.
/// </summary>
internal static class PipelineBenchmark
{
    private static int _threads = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        var samples = BenchmarkMath.IntOption(args, "--samples", 20000);
        var runs = BenchmarkMath.IntOption(args, "--runs", 3);
        _threads = BenchmarkMath.IntOption(args, "--threads", 1);
        var spec = ForecastModelBuilder.LaneSpec(12);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, ONNX Runtime {OrtEnv.Instance().GetVersionString()}; {samples} samples per measurement, {runs} runs (median)");
        Console.WriteLine("model                 mode          bare ORT inf/s   pipeline inf/s   ratio   bare p99 ms   pipeline p99 ms   mean batch");
        foreach (var (label, model) in new[] { ("lane forecaster", ForecastModelBuilder.Build(spec)), ("MLP 4×256", MlpForecaster(spec, 256)), ("MLP 4×1024", MlpForecaster(spec, 1024)) })
        {
            foreach (var (mode, maxBatch) in new[] { ("batch 1", 1), ("micro-batch 8", 8) })
            {
                var bare = new List<(double Rate, double P99)>();
                var ours = new List<(double Rate, double P99, double Batch)>();
                for (var run = 0; run < runs; run++)
                {
                    bare.Add(BareLoop(model, spec, samples, maxBatch));
                    ours.Add(await PipelineLoopAsync(model, samples, maxBatch));
                }

                var bareRate = BenchmarkMath.Median(bare.Select(b => b.Rate));
                var ourRate = BenchmarkMath.Median(ours.Select(o => o.Rate));
                Console.WriteLine($"{label,-21} {mode,-13} {bareRate,14:0} {ourRate,16:0} {ourRate / bareRate,7:0.00}× {BenchmarkMath.Median(bare.Select(b => b.P99)),12:0.000} {BenchmarkMath.Median(ours.Select(o => o.P99)),17:0.000} {BenchmarkMath.Median(ours.Select(o => o.Batch)),12:0.0}");
            }
        }

        return 0;
    }

    // The plain loop a user would write: prepared windows, one InferenceSession.Run per batch, output read back.
    private static (double Rate, double P99) BareLoop(byte[] model, FeatureSpec spec, int samples, int batch)
    {
        using var options = new SessionSettings { IntraOpThreads = _threads }.ToSessionOptions();
        using var session = new InferenceSession(model, options);
        var width = spec.Window * spec.RowWidth;
        var random = new Random(1);
        var windows = Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, width * batch).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var latencies = new List<double>(samples / batch);
        var sink = 0f;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < samples / batch; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var input = OrtValue.CreateTensorValueFromMemory(windows[i % windows.Length], [batch, spec.Window, spec.RowWidth]);
            using var outputs = session.Run(new RunOptions(), ["window"], [input], ["forecast"]);
            sink += outputs[0].GetTensorDataAsSpan<float>()[0];
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        GC.KeepAlive(sink);
        latencies.Sort();
        return ((samples / batch * batch) / watch.Elapsed.TotalSeconds, latencies[(int)(latencies.Count * 0.99)]);
    }

    // Throughput: every sample handed over at once (the queue holds them all), timed until the last result.
    // Latency: one sample at a time, each from the moment it is offered until its result document is ready.
    private static async Task<(double Rate, double P99, double Batch)> PipelineLoopAsync(byte[] model, int samples, int maxBatch)
    {
        using var server = new ModelServer();
        _ = server.Swap(new ServedModel("bench", 1, ModelSession.Create(model, new SessionSettings { IntraOpThreads = _threads }), "bench"));
        var batching = new BatchingOptions { MaxBatch = maxBatch, MaxDelayMs = maxBatch > 1 ? 1 : 0, QueueCapacity = samples, Overload = OverloadPolicy.Reject };
        var random = new Random(1);
        var start = DateTimeOffset.UnixEpoch;
        IntervalSample Sample(int i) => new(
            $"lane-{i % 16}",
            start.AddSeconds(10 * (i / 16)),
            TimeSpan.FromSeconds(10),
            new Dictionary<string, double>(3) { ["count"] = random.Next(10), ["occupancy"] = random.NextDouble() * 0.3, ["speedKmh"] = 30 + (random.NextDouble() * 30) },
            TimeProvider.System.GetTimestamp());

        double rate, batch;
        await using (var batcher = new MicroBatcher(server, "bench", batching, TimeProvider.System))
        {
            using var done = new CountdownEvent(samples);
            var options = new PipelineOptions { Name = "bench", Model = new() { Name = "bench" } };
            var pipeline = new SensorPipeline(options, new ForecastStage(options.Stage), server, batcher, [new SignallingSink(() => done.Signal())], TimeProvider.System);
            var prepared = Enumerable.Range(0, samples).Select(Sample).ToList();
            var watch = Stopwatch.StartNew();
            foreach (var sample in prepared)
            {
                pipeline.Offer(sample);
            }

            done.Wait();
            rate = samples / watch.Elapsed.TotalSeconds;
            batch = pipeline.Counters.MeanBatch ?? 0;
            Check(pipeline, samples);
        }

        await using (var batcher = new MicroBatcher(server, "bench", batching, TimeProvider.System))
        {
            using var answered = new AutoResetEvent(false);
            var options = new PipelineOptions { Name = "bench", Model = new() { Name = "bench" } };
            var pipeline = new SensorPipeline(options, new ForecastStage(options.Stage), server, batcher, [new SignallingSink(() => answered.Set())], TimeProvider.System);
            var sequential = Math.Min(samples, 5000);
            for (var i = 0; i < sequential; i++)
            {
                pipeline.Offer(Sample(i));
                answered.WaitOne();
            }

            Check(pipeline, sequential);
            return (rate, pipeline.Counters.Latency.PercentileMs(0.99) ?? 0, batch);
        }
    }

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

    private sealed class SignallingSink(Action signal) : IResultSink
    {
        public void Write(PipelineResult result) => signal();
    }
}
