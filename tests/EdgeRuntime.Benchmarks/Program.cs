using EdgeRuntime.Benchmarks;

var verbs = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
{
    ["daemon"] = DaemonBenchmark.RunAsync,
    ["optimizer"] = OptimizerBenchmark.RunAsync,
    ["optimize-time"] = OptimizeTimeBenchmark.RunAsync,
    ["delivery"] = DeliveryBenchmark.RunAsync,
    ["pipeline"] = PipelineBenchmark.RunAsync,
    ["fuzz"] = FuzzBenchmark.RunAsync,
    ["forecast"] = ForecastBenchmark.RunAsync,
    ["training"] = TrainingStepBenchmark.RunAsync,
    ["device-day"] = DeviceDayBenchmark.RunAsync,
    ["kernels"] = KernelBenchmark.RunAsync,
    ["int8"] = Int8Benchmark.RunAsync,
    ["aggregator"] = AggregatorBenchmark.RunAsync,
};

if (args.Length == 0 || !verbs.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/EdgeRuntime.Benchmarks -- <{string.Join('|', verbs.Keys)}> [options]");
    Console.Error.WriteLine("  daemon [--runs N] [--idle-seconds S]   start-up time to a retained online status, and idle resident memory");
    Console.Error.WriteLine("  optimizer [--runs N] [--creations N] [--threads N] [--model NAME] [--baseline DIR [--ort-graphs DIR]] [--no-measure]   ONNX Runtime latency and session creation, original vs O3 (vs an earlier optimiser's output in DIR), per shared model");
    Console.Error.WriteLine("  optimize-time --old EDGECTL --new EDGECTL [--runs N] [--model NAME] [--measure]   wall-clock time of edgectl optimize, an earlier build vs this one, alternating per shared model; medians, machine and load average");
    Console.Error.WriteLine("  pipeline [--ms N | --samples N] [--runs N] [--model NAME] [--batch 1|8] [--threads N]   traffic pipeline throughput, p99 and CPU per inference vs a bare ONNX Runtime loop, in paired runs");
    Console.Error.WriteLine("  forecast [--hidden 32,64,128] [--epochs N]   the trained forecaster's test MAE on the LA loop speeds and the I-94 volumes beside the naive baselines (markdown tables)");
    Console.Error.WriteLine("  training [--steps N] [--runs N]   one forecaster training step: derived graph on ONNX Runtime + ILGPU Adam vs plain C# loops; peak memory of head+bias training vs serving");
    Console.Error.WriteLine("  device-day [--days N] [--rate N] [--runs N] [--latency-only] [--trace-gc]   on-device learning at a signalised intersection: served MAE with and without learning over simulated days; serving p99 with and without a training round; --trace-gc prints large-object allocations and gen 2 collections");
    Console.Error.WriteLine("  kernels [--accelerator auto|cpu|cuda [--require]] [--runs N] [--ms N]   ILGPU kernels vs the C# code they replace: frame pre-processing, Adam steps, detection post-processing; launch overhead");
    Console.Error.WriteLine("  int8 [--pairs N]   MiniLM float32 vs our dynamic int8 pass: latency in interleaved pairs, cosine of the embeddings of 289 natural sentences");
    Console.Error.WriteLine("  aggregator [--updates N] [--batch N] [--runs N]   federated aggregator throughput in updates/s on one core for a ~100k-value forecaster, the time to make a version, and two aggregators sharing the updates (ratio)");
    Console.Error.WriteLine("  delivery [--megabytes N] [--runs N] [--chunk-kib N] [--parallelism N]   model transfer through the embedded broker and Mosquitto vs one mosquitto_pub -f");
    Console.Error.WriteLine("  fuzz [--graphs N] [--seed S] [--workers W] [--minimise-to DIR [--minimise-at-most N]]   differential fuzzing of the optimiser: graphs tried, disagreements, crashes");
    return 2;
}

return await run(args[1..]);
