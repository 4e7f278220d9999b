using System.Diagnostics;
using System.Globalization;
using EdgeRuntime.Core.Compute;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Sensors.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// Aggregator throughput (issue 12, item 5): signed 8-bit updates of a forecaster with about 100k trainable values, fed
/// to the lead's <see cref="AggregatorCore"/> in batches as the MQTT host hands them over — frame, duplicate check,
/// ECDSA P-256 signature, admission, decode, clip, fold, and the ledger and buffer committed to SQLite (WAL) per batch —
/// pinned to one core, then the version made from the buffer (combine, server step, ONNX file written and verified).
/// In the same run, two aggregators sharing the subscription: the lead and a member each take every other batch (as the
/// broker's shared subscription splits the stream), each on its own thread with the process allowed two cores; the
/// member folds its share and sends it to the lead as signed partial sums whenever one is due (half the buffer, or its
/// oldest update a second old — the host's rule), and the lead verifies and merges them. Its rate is the updates over
/// the time until the lead holds all of them; the ratio to one aggregator is printed. The broker is not in these
/// numbers: they are the aggregators' own ceiling.
/// </summary>
internal static class AggregatorBenchmark
{
    // Read before any pinning narrows what the runtime reports.
    private static readonly int MachineCores = Environment.ProcessorCount;

    public static Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkMath.IntOption(args, "--updates", 2000);
        var batch = BenchmarkMath.IntOption(args, "--batch", 50);
        var runs = BenchmarkMath.IntOption(args, "--runs", 3);
        var pinned = TryAllowCores(1);
        Console.WriteLine($"machine: {MachineInfo.Describe()}; {(pinned ? "one aggregator pinned to one core" : "not pinned (affinity refused)")}");

        var spec = new FeatureSpec { Metrics = ["speed"], Mean = [60], Std = [10], Window = 12, Target = "speed", TimeEncoding = true, Horizons = [1, 3, 6, 12] };
        var hidden = 16;
        GlobalModel model;
        do
        {
            hidden += 16;
            model = GlobalModel.FromBytes(TrafficForecasterBuilder.BuildBytes(spec, new ForecasterArchitecture(hidden)));
        }
        while (model.Layout.Length < 100_000);

        using var accelerator = KernelAccelerator.Create(KernelPreference.Cpu);
        var keys = Enumerable.Range(0, 20).Select(_ => DeviceKey.Create()).ToList();
        using var enrolled = EnrolledDevices.Of(keys.Select((k, i) => ($"d{i}", k.PublicKeyPem)));
        var builder = new UpdateBuilder(accelerator);
        var random = new Random(5);
        var updates = new List<ReadOnlyMemory<byte>>(count);
        for (var u = 0; u < count; u++)
        {
            var trained = model.InitialParameters.Select(v => v + (float)((random.NextDouble() - 0.5) * 1e-3)).ToArray();
            var request = new UpdateRequest($"u{u}", "traffic", 1, $"d{u % keys.Count}", 100, DateTimeOffset.UnixEpoch, model.Layout, model.InitialParameters, trained);
            updates.Add(builder.Build(request, new UpdateOptions { ClipNorm = 1 }, DeviceUpdateState.Empty, keys[u % keys.Count], GaussianNoise.Seeded(u)).Bytes);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model: forecaster hidden {hidden}, {model.Layout.Length} trainable values; {count} signed q8 updates of {updates[0].Length} bytes, batches of {batch}, {runs} runs"));
        var rates = new List<double>();
        var versions = new List<double>();
        var shared = new List<double>();
        var twoCores = false;

        // One aggregator on one core, then two on two cores, alternating: the machine's load drifts between runs.
        for (var run = 0; run < runs; run++)
        {
            TryAllowCores(1);
            var folder = Directory.CreateTempSubdirectory("edge-agg-bench-").FullName;
            try
            {
                var settings = new AggregatorSettings("traffic", "lead", AggregatorRole.Lead, folder, new AggregationOptions { BufferSize = count, MaxStaleness = 1000 });
                using var core = AggregatorCore.Open(settings, model, enrolled, (_, _, _) => "unused", TimeProvider.System, NullLogger.Instance);
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < count; i += batch)
                {
                    core.Ingest(updates.GetRange(i, Math.Min(batch, count - i)));
                }

                var ingest = watch.Elapsed.TotalSeconds;
                watch.Restart();
                _ = core.Aggregate(force: true) ?? throw new InvalidOperationException("no version was made");
                versions.Add(watch.Elapsed.TotalMilliseconds);
                rates.Add(count / ingest);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run + 1}: {count / ingest:0} updates/s ingested, version from {count} updates in {versions[^1]:0} ms"));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }

            twoCores = TryAllowCores(2);
            shared.Add(TwoAggregators(model, enrolled, updates, batch));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run + 1}, two aggregators: {shared[^1]:0} updates/s until the lead held all {count}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: {BenchmarkMath.Median(rates):0} updates/s on one core ({model.Layout.Length} values each); a version from {count} buffered updates: {BenchmarkMath.Median(versions):0} ms"));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: {BenchmarkMath.Median(shared):0} updates/s with two aggregators sharing the updates ({(twoCores ? "two cores" : "affinity refused: every core")}); ratio to one aggregator on one core: {BenchmarkMath.Median(shared) / BenchmarkMath.Median(rates):0.00}x"));
        foreach (var key in keys)
        {
            key.Dispose();
        }

        return Task.FromResult(0);
    }

    // Lead and member on their own threads, every other batch each; the member's partials go to the lead as the host sends them.
    private static double TwoAggregators(GlobalModel model, EnrolledDevices enrolled, List<ReadOnlyMemory<byte>> updates, int batch)
    {
        var count = updates.Count;
        var folder = Directory.CreateTempSubdirectory("edge-agg-bench-").FullName;
        using var fleetKey = SigningKey.Create();
        using var fleetKeys = TrustedKeys.Of(fleetKey);
        try
        {
            var options = new AggregationOptions { BufferSize = count, MaxStaleness = 1000 };
            using var lead = AggregatorCore.Open(new AggregatorSettings("traffic", "lead", AggregatorRole.Lead, Path.Combine(folder, "lead"), options), model, enrolled, fleetKeys.Check, TimeProvider.System, NullLogger.Instance);
            using var member = AggregatorCore.Open(new AggregatorSettings("traffic", "member1", AggregatorRole.Member, Path.Combine(folder, "member1"), options), model, enrolled, fleetKeys.Check, TimeProvider.System, NullLogger.Instance);
            member.ObserveVersion(lead.Version);
            var partials = new System.Collections.Concurrent.BlockingCollection<byte[]>();
            var receipts = new System.Collections.Concurrent.ConcurrentQueue<Core.Outbox.ReceiptEntry>();
            var watch = Stopwatch.StartNew();

            // Each aggregator's own loop, as the hosts run them: the lead's receipts reach the member's loop by message.
            var memberThread = new Thread(() =>
            {
                for (var i = batch; i < count; i += 2 * batch)
                {
                    member.Ingest(updates.GetRange(i, Math.Min(batch, count - i)));
                    TakeReceipts();
                    Forward(member.TakePartial());
                }

                Forward(member.TakePartial(force: true));
                partials.CompleteAdding();
            });

            void TakeReceipts()
            {
                while (receipts.TryDequeue(out var receipt))
                {
                    member.OnPartialReceipt(receipt);
                }
            }

            void Forward(PartialAggregate? partial)
            {
                if (partial is null)
                {
                    return;
                }

                var signed = partial.ToSignedPart();
                partials.Add(SignedFrame.AppendSignature(signed, fleetKey.Id, fleetKey.Sign(signed)));
                member.MarkForwarded(partial);
            }

            memberThread.Start();
            for (var i = 0; i < count; i += 2 * batch)
            {
                lead.Ingest(updates.GetRange(i, Math.Min(batch, count - i)));
                while (partials.TryTake(out var partial))
                {
                    receipts.Enqueue(lead.IngestPartial(partial));
                }
            }

            foreach (var partial in partials.GetConsumingEnumerable())
            {
                receipts.Enqueue(lead.IngestPartial(partial));
            }

            memberThread.Join();
            var elapsed = watch.Elapsed.TotalSeconds;
            if (lead.Buffered != count)
            {
                throw new InvalidOperationException($"the lead holds {lead.Buffered} of {count} updates");
            }

            return count / elapsed;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool TryAllowCores(int cores)
    {
        try
        {
            Process.GetCurrentProcess().ProcessorAffinity = (1 << Math.Min(cores, MachineCores)) - 1;
            return true;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
