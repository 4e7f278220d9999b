using System.Security.Cryptography;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Planning;
using EdgeRuntime.Inference.Serving;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>
/// The daemon's planner: the first start searches and caches; a second start (a new planner on the same store) serves
/// from the cache without searching and says so; a damaged cache entry is searched again; asking for a provider that
/// does not load falls back with one line, and the status board says what actually serves.
/// </summary>
public sealed class ModelPlannerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-planner-").FullName;
    private readonly ServingOptions _options = new() { PlanBudgetSeconds = 5 };

    [Fact]
    public void Plan_SecondPlannerSameModelAndDevice_ServesCachedPlanWithoutSearchAndLogsIt()
    {
        var model = Install();
        var first = new ModelPlanner(_options, new PlanStatusBoard(), new RecordingLogger<ModelPlanner>());
        var searched = first.Plan(model, new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);

        var logger = new RecordingLogger<ModelPlanner>();
        var second = new ModelPlanner(_options, new PlanStatusBoard(), logger);
        var cached = second.Plan(model, new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanSource.Search, searched.Source);
        Assert.Equal(PlanSource.Cache, cached.Source);
        Assert.Equal(searched.Settings, cached.Settings);
        Assert.Equal(searched.Model, cached.Model);
        Assert.Contains(logger.Lines, l => l.Message.StartsWith("Model mlp v1: plan cache hit (", StringComparison.Ordinal) && l.Message.EndsWith("; no search", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Message.Contains("cache miss", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_CachedPlanFileDamaged_MissNamesItAndSearchesAgain()
    {
        var model = Install();
        new ModelPlanner(_options, new PlanStatusBoard(), new RecordingLogger<ModelPlanner>()).Plan(model, new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);
        var planFile = Directory.GetFiles(Path.Combine(model.Directory, "plans"), "plan.onnx", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(planFile, [.. File.ReadAllBytes(planFile).Take(100)]);

        var logger = new RecordingLogger<ModelPlanner>();
        var again = new ModelPlanner(_options, new PlanStatusBoard(), logger).Plan(model, new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanSource.Search, again.Source);
        Assert.Contains(logger.Lines, l => l.Message.Contains("plan cache miss (the cached plan does not match its recorded sha256 (damaged))", StringComparison.Ordinal));
    }

    [Fact]
    public void Provider_CudaAskedOnMachineWithoutCuda_OneWarningLineAndStatusShowsCpu()
    {
        if (DeviceProbe.Current.Providers.Any(p => p.Provider == ExecutionProvider.Cuda && p.Available))
        {
            Assert.Skip("CUDA loads on this machine; the fallback cannot happen here");
        }

        var board = new PlanStatusBoard();
        var logger = new RecordingLogger<ModelPlanner>();
        var options = new ServingOptions { PlanSearch = false, Provider = "cuda" };
        var planner = new ModelPlanner(options, board, logger);
        var model = Install();

        var plan = planner.Plan(model, new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);
        planner.ReportServing(model, plan, TimeSpan.FromSeconds(1));

        Assert.Equal(ExecutionProvider.Cpu, plan.Settings.Provider);
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.StartsWith("Execution provider: Cuda was asked for but is not available here (", warning.Message, StringComparison.Ordinal);
        Assert.EndsWith("); models run on Cpu", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning.Message);
        var serving = Assert.Single(board.Snapshot());
        Assert.Equal(ExecutionProvider.Cpu, serving.Provider);
        Assert.Equal(plan.Settings.Describe(), serving.Plan);
        Assert.Equal(planner.Provider.Fallback, serving.Note);
        Assert.NotNull(board.Device);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private InstalledModel Install()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "mlp", "1")).FullName;
        var path = Path.Combine(folder, "model.onnx");
        var bytes = OnnxModelWriter.ToBytes(TinyModels.TwoLayerPerceptron());
        File.WriteAllBytes(path, bytes);
        return new InstalledModel("mlp", 1, path, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
