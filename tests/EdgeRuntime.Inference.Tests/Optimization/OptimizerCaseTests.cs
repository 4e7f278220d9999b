using EdgeRuntime.Testing.Fuzzing;

namespace EdgeRuntime.Inference.Tests.Optimization;

/// <summary>
/// Models rebuilt from publicly reported optimiser bugs (Cases/optimizer, a copy of ../shared/cases/optimizer, plus any
/// further cases found there), and every disagreement the fuzzer ever found, minimised (Cases/fuzz). Each one must
/// optimise at O1, O2 and O3 to a model that agrees with the original on input sets chosen independently of the
/// optimiser's verifier (every free dimension at 1, 2, distinct sizes and 64; integer scalars from −12 to 12 and
/// beyond 2^40; booleans both ways; overridable initializers perturbed), passes the strict structural check, keeps
/// its outputs, overridable inputs and int8 weights, and still varies where the original is random — or, when it has
/// an input or output that is not a tensor, be refused in one line. A refusal of a tensor model fails.
/// </summary>
public sealed class OptimizerCaseTests
{
    private static readonly string CasesRoot = Path.Combine(AppContext.BaseDirectory, "Cases");

    public static TheoryData<string> Cases
    {
        get
        {
            var shared = Path.Combine(TestEnvironment.RepositoryRoot, "..", "shared", "cases", "optimizer");
            var ours = Directory.GetFiles(Path.Combine(CasesRoot, "optimizer"), "*.onnx").ToDictionary(f => Path.GetFileName(f), f => f, StringComparer.Ordinal);
            foreach (var extra in Directory.Exists(shared) ? Directory.GetFiles(shared, "*.onnx") : [])
            {
                ours.TryAdd(Path.GetFileName(extra), extra);
            }

            return new(ours.Values.Order(StringComparer.Ordinal));
        }
    }

    public static TheoryData<string> FuzzFindings => new(Directory.GetFiles(Path.Combine(CasesRoot, "fuzz"), "*.onnx").Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Optimize_ReportedBugCase_AgreesEverywhereOrRefusedInOneLine(string path)
    {
        var fuzzCase = CaseFeeds.Load(path);
        var outcome = DifferentialFuzzer.Check(fuzzCase, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine($"{Path.GetFileName(path)}: {outcome.Verdict} on {fuzzCase.Feeds.Count} input set(s) {outcome.Detail}");
        Assert.True(outcome.Verdict is FuzzVerdict.Agreed or FuzzVerdict.Refused, $"{Path.GetFileName(path)}: {outcome.Verdict}: {outcome.Detail}");
        Assert.Equal(fuzzCase.ExpectRefusal, outcome.Verdict == FuzzVerdict.Refused);
    }

    [Theory]
    [MemberData(nameof(FuzzFindings))]
    public void Optimize_MinimisedFuzzFinding_NowAgrees(string path)
    {
        var (fuzzCase, finding) = FuzzCaseFiles.Read(path);
        var outcome = DifferentialFuzzer.Check(fuzzCase, TestContext.Current.CancellationToken);
        Assert.True(outcome.Verdict is FuzzVerdict.Agreed or FuzzVerdict.Refused, $"{Path.GetFileName(path)} (once: {finding}): {outcome.Verdict}: {outcome.Detail}");
    }
}
