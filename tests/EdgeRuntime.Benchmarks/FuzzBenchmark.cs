using System.Globalization;
using EdgeRuntime.Testing.Fuzzing;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// The differential fuzzer, for long runs: <c>fuzz --graphs N --seed S [--workers W] [--minimise-to DIR [--minimise-at-most N]]</c> generates
/// the graphs of seeds S … S + N − 1, optimises each at O1, O2 and O3 and checks every result against ONNX Runtime on
/// the original (<see cref="DifferentialFuzzer"/>), and prints graphs tried, disagreements, crashes and the grammar's
/// coverage. With --minimise-to, every disagreement and crash (the first N with --minimise-at-most N) is minimised and
/// written there as a regression case (copy it into tests/EdgeRuntime.Inference.Tests/Cases/fuzz).
/// Exit code 1 when anything disagreed or crashed.
/// </summary>
internal static class FuzzBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var graphs = BenchmarkMath.IntOption(args, "--graphs", 20000);
        var seed = BenchmarkMath.IntOption(args, "--seed", 1);
        var workers = BenchmarkMath.IntOption(args, "--workers", Environment.ProcessorCount);
        var minimiseTo = BenchmarkMath.StringOption(args, "--minimise-to");
        var minimiseAtMost = BenchmarkMath.IntOption(args, "--minimise-at-most", int.MaxValue);
        Console.WriteLine($"{MachineDescription.Line()}; ONNX Runtime {OrtEnv.Instance().GetVersionString()}");
        Console.WriteLine($"fuzz: {graphs} graphs from seed {seed}, {workers} workers, each optimised at {string.Join(", ", DifferentialFuzzer.Levels)}");
        var done = 0;
        var summary = FuzzCampaign.Run(seed, graphs, workers, outcome =>
        {
            var count = Interlocked.Increment(ref done);
            if (outcome.Verdict is FuzzVerdict.Disagreement or FuzzVerdict.Crash or FuzzVerdict.Invalid)
            {
                Console.WriteLine($"  seed {outcome.Seed}: {outcome.Verdict.ToString().ToLowerInvariant()}: {outcome.Detail}");
            }

            if (count % 1000 == 0)
            {
                Console.WriteLine($"  … {count} graphs");
            }
        });

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"graphs tried: {summary.Tried}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agreed: {summary.Agreed}; refused in one line (sequence inputs): {summary.Refused}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"disagreements: {summary.Disagreements.Count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"crashes: {summary.Crashes.Count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"invalid (ONNX Runtime cannot run the original itself): {summary.Invalid.Count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"elapsed: {summary.Elapsed.TotalSeconds:F1} s ({summary.Tried / summary.Elapsed.TotalSeconds:F1} graphs/s)"));
        Console.WriteLine($"productions (graphs using each): {string.Join(", ", summary.Productions.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");

        if (minimiseTo is not null)
        {
            foreach (var finding in summary.Disagreements.Concat(summary.Crashes).Take(minimiseAtMost))
            {
                var failing = FuzzGraphGenerator.Generate(finding.Seed);
                var verdict = finding.Verdict;
                FuzzCase minimised;
                try
                {
                    minimised = FuzzMinimiser.Minimise(failing, c => CheckCatching(c).Verdict == verdict);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The minimiser reads the model with our own importer; when that is what fails, keep the whole graph.
                    Console.WriteLine($"  seed {finding.Seed} kept unminimised: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
                    minimised = failing;
                }

                var name = string.Create(CultureInfo.InvariantCulture, $"seed-{finding.Seed}");
                FuzzCaseFiles.Write(minimised, minimiseTo, name, finding.Detail);
                Console.WriteLine($"minimised seed {finding.Seed} to {OnnxNodes(minimised)} nodes: {Path.Combine(minimiseTo, name)}.onnx ({CheckCatching(minimised).Detail})");
            }
        }

        return Task.FromResult(summary.Disagreements.Count + summary.Crashes.Count == 0 ? 0 : 1);
    }

    // As the campaign counts it: an exception escaping the check (the importer itself failing) is a crash.
    private static FuzzOutcome CheckCatching(FuzzCase fuzzCase)
    {
        try
        {
            return DifferentialFuzzer.Check(fuzzCase);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new FuzzOutcome(fuzzCase.Seed, FuzzVerdict.Crash, $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static string OnnxNodes(FuzzCase fuzzCase)
    {
        try
        {
            return Graph.Onnx.OnnxModelReader.Read(fuzzCase.Model, "minimised", null).CountNodes().ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"? ({ex.GetType().Name} reading it)";
        }
    }
}
