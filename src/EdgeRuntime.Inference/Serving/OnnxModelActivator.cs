using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRuntime.Core;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Serving;

/// <summary>
/// Puts delivered models into service on ONNX Runtime: optimise the graph (verified against the original, the
/// fastest verified variant kept when measuring), build the session on the best execution provider this machine
/// has, warm it up, then swap it into the <see cref="ModelServer"/>. The optimised plan is cached in the version's
/// store folder, keyed by the runtime and ONNX Runtime versions, so a restart does not optimise again. A model the
/// optimiser cannot improve with proof is served as delivered. The execution provider is asked for on the first
/// activation, so a device with no model never loads ONNX Runtime's native library.
/// </summary>
public sealed class OnnxModelActivator(ModelServer server, ServingOptions options, Func<ExecutionProvider> chooseProvider) : IModelActivator
{
    private readonly Lazy<ExecutionProvider> _provider = new(chooseProvider);

    /// <summary>Creates an activator for a known provider.</summary>
    public OnnxModelActivator(ModelServer server, ServingOptions options, ExecutionProvider provider)
        : this(server, options, () => provider)
    {
    }

    /// <summary>
    /// The measured plan search with its cache (<see cref="Planning.ModelPlanner"/>); null keeps the optimiser-only path below
    /// (one level, <see cref="ServingOptions.IntraOpThreads"/>, the probed provider).
    /// </summary>
    public Planning.ModelPlanner? Planner { get; init; }

    private const string PlanFileName = "plan.onnx";
    private const string PlanInfoFileName = "plan.json";

    /// <inheritdoc />
    public long? ServingVersion(string name) => server.ServingVersion(name);

    /// <inheritdoc />
    public async Task ActivateAsync(InstalledModel model, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(progress);
        if (Planner is { } planner)
        {
            await ActivatePlannedAsync(planner, model, progress, cancellationToken);
            return;
        }

        var (plan, description) = await Task.Run(() => LoadOrBuildPlan(model, progress, cancellationToken), cancellationToken);

        var provider = _provider.Value;
        progress.Report(new ModelStepProgress(ModelPhase.Planning, $"building the {provider} session and warming up"));
        var served = await Task.Run(() => StartSession(model, plan, description, provider), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        _ = server.Swap(served);
    }

    private async Task ActivatePlannedAsync(Planning.ModelPlanner planner, InstalledModel model, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var planned = await Task.Run(() => planner.Plan(model, progress, cancellationToken), cancellationToken);
        progress.Report(new ModelStepProgress(ModelPhase.Planning, $"building the session ({planned.Settings.Describe()}) and warming up"));
        var served = await Task.Run(() => StartSession(model, planned.Model, planned.Description, planned.Settings), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        _ = server.Swap(served);
        planner.ReportServing(model, planned, watch.Elapsed);
        if (planned.Source == Planning.PlanSource.Previous)
        {
            // The previous plan serves; the search for the new key runs at low cost in the background and swaps in when done.
            _ = Task.Run(
                () =>
                {
                    var replanned = planner.Search(model, planned.Key, progress, CancellationToken.None);
                    if (server.ServingVersion(model.Name) == model.Version)
                    {
                        _ = server.Swap(StartSession(model, replanned.Model, replanned.Description, replanned.Settings));
                        planner.ReportServing(model, replanned, watch.Elapsed);
                    }
                },
                CancellationToken.None);
        }
    }

    private (byte[] Plan, string Description) LoadOrBuildPlan(InstalledModel model, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
    {
        var planPath = Path.Combine(model.Directory, PlanFileName);
        var infoPath = Path.Combine(model.Directory, PlanInfoFileName);
        var key = new PlanKey(model.Sha256, options.OptimizationLevel.ToString(), options.MeasureVariants, RuntimeVersion.Current, OrtEnv.Instance().GetVersionString());
        if (File.Exists(planPath) && File.Exists(infoPath) && TryReadInfo(infoPath) is { } info && info.Key == key)
        {
            progress.Report(new ModelStepProgress(ModelPhase.Optimising, $"using the cached plan ({info.Description})"));
            return (File.ReadAllBytes(planPath), info.Description);
        }

        if (options.OptimizationLevel == OptimizationLevel.O0)
        {
            return (File.ReadAllBytes(model.Path), "as delivered (Serving:OptimizationLevel O0)");
        }

        progress.Report(new ModelStepProgress(ModelPhase.Optimising, $"{options.OptimizationLevel}, verified against the original"));
        byte[] plan;
        string description;
        var watch = Stopwatch.StartNew();
        try
        {
            var optimizer = new ModelOptimizer(message => progress.Report(new ModelStepProgress(ModelPhase.Optimising, message)));
            var result = optimizer.Optimize(
                new OptimizeRequest
                {
                    InputPath = model.Path,
                    Level = options.OptimizationLevel,
                    MeasureCandidates = options.MeasureVariants,
                    MeasurementRuns = 15,

                    // The daemon is the served model's only caller and feeds its data inputs alone, never a weight.
                    FreezeInitializerInputs = true,
                },
                cancellationToken);
            plan = result.Model;
            var chosen = result.Candidates.FirstOrDefault(c => c.Chosen)?.Label ?? options.OptimizationLevel.ToString();
            description = $"{chosen}: {result.Report.Before.Nodes}→{result.Report.After.Nodes} nodes, verified (max abs {result.Verification.Outputs.Select(o => o.MaxAbsoluteError).DefaultIfEmpty(0).Max():G3}) in {watch.Elapsed.TotalSeconds:0.0} s";
        }
        catch (Exception ex) when (ex is OnnxFormatException or VerificationException or NotSupportedException or ArgumentException or OnnxRuntimeException or InvalidOperationException)
        {
            // Pre-flight proved ONNX Runtime runs the model as delivered; without a verified rewrite, serve it as is.
            plan = File.ReadAllBytes(model.Path);
            description = $"as delivered (not optimised: {OneLine(ex.Message)})";
        }

        AtomicFile.WriteAllBytes(planPath, plan);
        AtomicFile.WriteAllBytes(infoPath, JsonSerializer.SerializeToUtf8Bytes(new PlanInfo(key, description), PlanJsonContext.Default.PlanInfo));
        return (plan, description);
    }

    private ServedModel StartSession(InstalledModel model, byte[] plan, string description, ExecutionProvider provider) =>
        StartSession(model, plan, description, PlanSettings.RuntimeDefault with { Provider = provider, IntraOpThreads = options.IntraOpThreads });

    private ServedModel StartSession(InstalledModel model, byte[] plan, string description, PlanSettings settings)
    {
        var provider = settings.Provider;
        ModelSession? session = null;
        try
        {
            session = ModelSession.Create(plan, SessionSettings.For(settings));
            var graph = OnnxModelReader.Read(plan, model.Name, model.Directory);
            for (var run = 0; run < options.WarmupRuns; run++)
            {
                session.Run(InputGenerator.Generate(graph, seed: run));
            }

            return new ServedModel(model.Name, model.Version, session, $"{description}; {provider}", model);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or OnnxFormatException or NotSupportedException)
        {
            session?.Dispose();
            throw new ModelActivationException($"{model.Name} v{model.Version} failed to start on {provider}: {OneLine(ex.Message)}", ex);
        }
    }

    private static PlanInfo? TryReadInfo(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), PlanJsonContext.Default.PlanInfo);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    internal sealed record PlanKey(string Sha256, string Level, bool Measured, string Runtime, string OnnxRuntime);

    internal sealed record PlanInfo(PlanKey Key, string Description);
}

[JsonSerializable(typeof(OnnxModelActivator.PlanInfo))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
