using EdgeRuntime.Testing.Fuzzing;

namespace EdgeRuntime.Inference.Tests.Optimization;

/// <summary>
/// The seeded differential fuzzing run: 500 generated graphs (seeds 1–500; see <see cref="FuzzGraphGenerator"/> for
/// the grammar), each optimised at O1, O2 and O3 and checked against ONNX Runtime on the original. Longer runs:
/// <c>dotnet run -c Release --project tests/EdgeRuntime.Benchmarks -- fuzz --graphs 20000 --seed 1</c>.
/// </summary>
public sealed class OptimizerFuzzTests
{
    private const int FirstSeed = 1;
    private const int Graphs = 500;

    [Fact]
    public void SeededRun_500Graphs_NoDisagreementsNoCrashes()
    {
        var summary = FuzzCampaign.Run(FirstSeed, Graphs, workers: Environment.ProcessorCount, cancellationToken: TestContext.Current.CancellationToken);
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{summary.Tried} graphs in {summary.Elapsed.TotalSeconds:F1} s: {summary.Agreed} agreed, {summary.Refused} refused in one line, {summary.Disagreements.Count} disagreements, {summary.Crashes.Count} crashes, {summary.Invalid.Count} invalid");
        output?.WriteLine($"productions: {string.Join(", ", summary.Productions.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");
        foreach (var finding in summary.Disagreements.Concat(summary.Crashes).Concat(summary.Invalid))
        {
            output?.WriteLine($"seed {finding.Seed}: {finding.Verdict}: {finding.Detail}");
        }

        Assert.Equal(Graphs, summary.Tried);
        Assert.True(summary.Disagreements.Count == 0, $"{summary.Disagreements.Count} disagreement(s), first: seed {summary.Disagreements.FirstOrDefault()?.Seed}: {summary.Disagreements.FirstOrDefault()?.Detail}");
        Assert.True(summary.Crashes.Count == 0, $"{summary.Crashes.Count} crash(es), first: seed {summary.Crashes.FirstOrDefault()?.Seed}: {summary.Crashes.FirstOrDefault()?.Detail}");

        // The grammar must keep reaching what it is for: a generator that stopped producing a pattern would test nothing.
        Assert.True(summary.Invalid.Count <= Graphs / 100, $"{summary.Invalid.Count} invalid graphs");
        foreach (var production in new[] { "if", "nested-if", "loop", "squeeze-without-axes", "slice-shape", "integer-division-in-branch", "dropout-training", "random-twins", "random-dtype", "qdq-conv", "weight-only-int8", "layernorm", "overridable-initializer", "duplicate-output", "colliding-names", "sequence-input", "ir3" })
        {
            Assert.True(summary.Productions.GetValueOrDefault(production) > 0, $"no graph used '{production}'");
        }
    }
}
