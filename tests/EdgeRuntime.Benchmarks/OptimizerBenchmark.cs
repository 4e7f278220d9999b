using System.Diagnostics;
using System.Globalization;
using EdgeRuntime.Graph.Cost;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Testing.Models;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// Per real model: nodes, FLOPs, and ONNX Runtime latency and session creation for (a) the original at ONNX
/// Runtime's full optimisation and (b) EdgeRuntime's O3 output at full optimisation, plus (c) creation of ours at
/// the basic level. Sessions alternate run by run so both see the same machine noise; medians are reported.
/// With <c>--baseline DIR</c>, (d) the model an earlier <c>edgectl optimize</c> wrote for it (DIR/&lt;model's relative
/// path&gt;, e.g. from the branch point of a change) is timed in the same alternating loop, so "no slower than
/// before" is a ratio b/d measured in one run, not two tables taken on a shared machine hours apart.
/// Initializers listed as inputs are frozen, as the daemon does (it never feeds a weight). With <c>--no-measure</c>,
/// (b) is O3's verified result instead of the fastest verified variant by timing, so two optimisers compare without
/// the variant choice (itself a timing on a possibly busy machine) deciding the table.
/// </summary>
internal static class OptimizerBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var runs = BenchmarkMath.IntOption(args, "--runs", 60);
        var creations = BenchmarkMath.IntOption(args, "--creations", 7);
        var threads = BenchmarkMath.IntOption(args, "--threads", 2);
        var only = BenchmarkMath.StringOption(args, "--model");
        var baselineRoot = BenchmarkMath.StringOption(args, "--baseline");
        var measure = !args.Contains("--no-measure");
        var ortGraphsRoot = BenchmarkMath.StringOption(args, "--ort-graphs");
        if (!SharedModels.Available)
        {
            Console.Error.WriteLine($"the shared models folder {SharedModels.Root} is not present");
            return Task.FromResult(1);
        }

        Console.WriteLine(MachineDescription.Line());
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, CPU provider, {threads} intra-op threads; {Environment.ProcessorCount} cores; at least {runs} timed runs and 3 s per variant, {creations} session creations, alternating");
        Console.WriteLine((measure ? "b keeps the fastest verified variant (timed); " : "b keeps O3's verified result (--no-measure); ") + "a = original at ORT_ENABLE_ALL, b = EdgeRuntime O3 at ORT_ENABLE_ALL, c = EdgeRuntime O3 at ORT_ENABLE_BASIC" +
            (baselineRoot is null ? string.Empty : $", d = the earlier optimiser's output in {baselineRoot} at ORT_ENABLE_ALL"));
        Console.WriteLine();
        var baselineHeader = baselineRoot is null ? (string.Empty, string.Empty) : (" latency d ms | b/d |", " --- | --- |");
        Console.WriteLine($"| model | nodes a → b | MFLOPs a → b | optimise s | latency a ms | latency b ms | b/a |{baselineHeader.Item1} create a ms | create b ms | create c ms | c/a |");
        Console.WriteLine($"| --- | --- | --- | --- | --- | --- | --- |{baselineHeader.Item2} --- | --- | --- | --- |");
        foreach (var relative in SharedModels.RealModels.Where(m => only is null || m.Contains(only, StringComparison.Ordinal)))
        {
            Console.WriteLine(Row(relative, runs, creations, threads, baselineRoot, measure, ortGraphsRoot));
        }

        return Task.FromResult(0);
    }

    private static string Row(string relative, int runs, int creations, int threads, string? baselineRoot, bool measure, string? ortGraphsRoot)
    {
        var path = Path.Combine(SharedModels.Root, relative);
        var original = File.ReadAllBytes(path);
        var model = OnnxModelReader.Read(path);
        var shapes = ModelInputs.Shapes(relative) ?? new Dictionary<string, long[]>();
        var optimising = Stopwatch.GetTimestamp();
        var result = new ModelOptimizer().Optimize(new OptimizeRequest
        {
            InputPath = path,
            Shapes = shapes,
            FixedInputs = ModelInputs.FixedValues(relative) ?? new Dictionary<string, Tensor>(),
            RandomSamples = 2,
            MeasureCandidates = measure,
            FreezeInitializerInputs = true,
        });
        var optimiseSeconds = Stopwatch.GetElapsedTime(optimising).TotalSeconds;
        var optimised = result.Model;
        var inputs = ModelInputs.For(relative, model);
        var baseline = CostAtShapes(model, shapes);

        var full = new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpThreads = threads };
        var basic = new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, IntraOpThreads = threads };
        var createA = new List<double>();
        var createB = new List<double>();
        var createC = new List<double>();
        for (var i = 0; i < creations; i++)
        {
            createA.Add(TimeCreation(original, full));
            createB.Add(TimeCreation(optimised, full));
            createC.Add(TimeCreation(optimised, basic));
        }

        var baselinePath = baselineRoot is null ? null : Path.Combine(baselineRoot, relative);
        byte[][] timed = baselinePath is not null && File.Exists(baselinePath) ? [original, optimised, File.ReadAllBytes(baselinePath)] : [original, optimised];
        var latency = LatencyProbe.Measure(timed, inputs, full, runs, minimumSeconds: 3);
        var (la, lb) = (latency[0], latency[1]);
        var baselineCells = baselineRoot is null ? string.Empty
            : timed.Length == 3 ? string.Create(CultureInfo.InvariantCulture, $" {latency[2]:F2} | {lb / latency[2]:F2} |")
            : " (none) | |";
        var (ca, cb, cc) = (BenchmarkMath.Median(createA), BenchmarkMath.Median(createB), BenchmarkMath.Median(createC));
        var dropped = result.Dropped.Count > 0 ? $"; dropped {string.Join(", ", result.Dropped.Select(d => d.Pass))}" : string.Empty;
        var kept = result.Candidates.FirstOrDefault(c => c.Chosen)?.Label ?? "O3";
        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {relative} ({kept}{dropped}) | {baseline.Nodes} → {result.Report.After.Nodes} | {baseline.Flops / 1e6:F1} → {result.Report.After.Flops / 1e6:F1} | {optimiseSeconds:F1} | {la:F2} | {lb:F2} | {lb / la:F2} |{baselineCells} {ca:F1} | {cb:F1} | {cc:F1} | {cc / ca:F2} |");

        // What ONNX Runtime itself runs once it has optimised b and d at load: a timing-free answer to whether they differ.
        return timed.Length == 3 ? row + Environment.NewLine + $"  as ONNX Runtime runs them (ORT_ENABLE_ALL, its optimised graph): {CompareOrtGraphs(optimised, timed[2], ortGraphsRoot is null ? null : Path.Combine(ortGraphsRoot, relative))}" : row;
    }

    // keep: where to leave ONNX Runtime's optimised files (keep.b.onnx, keep.d.onnx); null deletes them.
    private static string CompareOrtGraphs(byte[] ours, byte[] earlier, string? keep)
    {
        var (b, d) = (OrtOptimisedOps(ours, keep is null ? null : keep + ".b.onnx"), OrtOptimisedOps(earlier, keep is null ? null : keep + ".d.onnx"));
        var differing = b.Keys.Union(d.Keys).Where(op => b.GetValueOrDefault(op) != d.GetValueOrDefault(op)).Order(StringComparer.Ordinal)
            .Select(op => $"{op} {b.GetValueOrDefault(op)} vs {d.GetValueOrDefault(op)}").ToList();
        return $"b {b.Values.Sum()} nodes, d {d.Values.Sum()} nodes; " + (differing.Count == 0 ? "the same operators" : $"differing: {string.Join(", ", differing)}");
    }

    // Node count per operator of the graph ONNX Runtime runs after its own optimisation at load.
    private static Dictionary<string, int> OrtOptimisedOps(byte[] model, string? keepAt)
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-ort-optimised-{Guid.NewGuid():N}.onnx");
        if (keepAt is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keepAt))!);
            path = keepAt;
        }

        try
        {
            using (var options = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = path })
            using (new Microsoft.ML.OnnxRuntime.InferenceSession(model, options))
            {
            }

            return OnnxModelReader.Read(path).Graph.Nodes.GroupBy(n => string.IsNullOrEmpty(n.Domain) ? n.OpType : $"{n.Domain}.{n.OpType}").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
        finally
        {
            if (keepAt is null)
            {
                File.Delete(path);
            }
        }
    }

    private static GraphCost CostAtShapes(Model model, IReadOnlyDictionary<string, long[]> shapes)
    {
        new Graph.Passes.Restructuring.SpecializeShapes().Run(model, new PassContext { InputShapes = shapes });
        ShapeInference.Run(model);
        return CostModel.Estimate(model);
    }

    private static double TimeCreation(byte[] model, SessionSettings settings) => Time(() => ModelSession.Create(model, settings).Dispose());

    private static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }


}
