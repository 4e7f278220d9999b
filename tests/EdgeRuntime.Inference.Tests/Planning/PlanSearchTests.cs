using EdgeRuntime.Core.Planning;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Planning;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>
/// The measured search on a small real model: ORT's default is always a contestant, int8 is tried, a candidate outside
/// tolerance is never chosen, and the search keeps to its budget. (Which plan is fastest is measured, not asserted.)
/// </summary>
public sealed class PlanSearchTests(ITestOutputHelper output) : IDisposable
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-plan-").FullName;

    [Fact]
    public void Run_Perceptron_EveryCandidateReportedChosenOneWithinToleranceAndBudget()
    {
        var path = Write(TinyModels.TwoLayerPerceptron());
        var options = new PlanSearchOptions { Budget = TimeSpan.FromSeconds(8) };

        var result = new PlanSearch(options, DeviceProbe.Current, Progress).Run(new PlanRequest { ModelPath = path }, TestContext.Current.CancellationToken);

        var report = result.Report;
        Print(report);
        Assert.Contains(report.Candidates, c => c.Settings.IsRuntimeDefault && c.Stage == 1);
        Assert.Contains(report.Candidates, c => c.Settings.Precision == PlanPrecision.Int8Dynamic);
        Assert.Contains(report.Candidates, c => c.Stage == 2 && c.Settings.IntraOpThreads == 1);
        var chosen = Assert.Single(report.Candidates, c => c.Outcome == CandidateOutcome.Chosen);
        Assert.Equal(result.Settings, chosen.Settings);
        Assert.Equal(report.Chosen, result.Settings);
        Assert.All(report.Candidates.Where(c => c.Outcome != CandidateOutcome.Chosen), c => Assert.False(string.IsNullOrEmpty(c.Reason)));
        // Every phase checks the deadline between steps; one step already running (a session build, a burst of runs) may
        // end a little past it on a loaded 2-core CI machine, hence one second of grace on eight.
        Assert.True(report.ElapsedSeconds <= report.BudgetSeconds + 1, $"searched {report.ElapsedSeconds:0.0} s of a {report.BudgetSeconds} s budget");
        if (!result.Settings.IsRuntimeDefault)
        {
            Assert.NotNull(report.VersusDefault);
        }
    }

    [Fact]
    public void Run_ToleranceNoInt8CanMeet_Int8OutsideToleranceAndNeverChosen()
    {
        var path = Write(TinyModels.TwoLayerPerceptron());
        var options = new PlanSearchOptions
        {
            Budget = TimeSpan.FromSeconds(6),
            OptimizerLevels = [0],
            Tolerance = new PlanTolerance { MinimumCosine = 0.999999, MaximumRelativeError = 1e-5 },
        };

        var result = new PlanSearch(options, DeviceProbe.Current, Progress).Run(new PlanRequest { ModelPath = path }, TestContext.Current.CancellationToken);

        var int8 = result.Report.Candidates.Where(c => c.Settings.Precision == PlanPrecision.Int8Dynamic).ToList();
        Assert.NotEmpty(int8);
        Assert.All(int8, c => Assert.Equal(CandidateOutcome.OutsideTolerance, c.Outcome));
        Assert.Equal(PlanPrecision.Fp32, result.Settings.Precision);
    }

    [Fact]
    public void Run_ReducedPrecisionOff_OnlyFloat32CandidatesAndANote()
    {
        var path = Write(TinyModels.TwoLayerPerceptron());
        var options = new PlanSearchOptions { Budget = TimeSpan.FromSeconds(5), OptimizerLevels = [0], TryReducedPrecision = false };

        var result = new PlanSearch(options, DeviceProbe.Current, Progress).Run(new PlanRequest { ModelPath = path }, TestContext.Current.CancellationToken);

        Assert.All(result.Report.Candidates, c => Assert.Equal(PlanPrecision.Fp32, c.Settings.Precision));
        Assert.Contains("reduced precision not tried (turned off)", result.Report.Notes);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // The search's steps with the time since the test began: where a budget went, when one is overrun.
    private void Print(PlanReport report)
    {
        foreach (var c in report.Candidates)
        {
            output.WriteLine($"{c.Stage} {c.Plan,-55} {c.MedianMilliseconds,8:0.000} ms  {c.Runs,5} runs  session {c.SessionSeconds,5:0.00} s  {c.Outcome}");
        }

        output.WriteLine($"versus default: {report.VersusDefault}; {report.ElapsedSeconds:0.00} s of {report.BudgetSeconds} s");
    }

    private void Progress(string step) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.00} s  {step}");

    private string Write(Graph.Ir.Model model)
    {
        var path = Path.Combine(_folder, "mlp.onnx");
        File.WriteAllBytes(path, OnnxModelWriter.ToBytes(model));
        return path;
    }
}
