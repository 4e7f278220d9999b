using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EdgeRuntime.Core;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Devices;
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
/// has, warm it up, check that it fits the pipelines that consume its name, then swap it into the
/// <see cref="ModelServer"/>. The optimised plan is cached in the version's store folder under a
/// <see cref="PlanCacheKey"/> (model sha256, processor and provider, ONNX Runtime and EdgeRuntime versions, input
/// shapes, options) with its content hash, so a restart does not optimise again and a damaged or foreign plan is
/// rebuilt from the model — whose bytes are checked against their signed sha256 first. A model the optimiser cannot
/// improve with proof is served as delivered. The execution provider is asked for on the first activation, so a
/// device with no model never loads ONNX Runtime's native library.
/// </summary>
public sealed class OnnxModelActivator(ModelServer server, ServingOptions options, Func<ExecutionProvider> chooseProvider) : IModelActivator
{
    private readonly Lazy<ExecutionProvider> _provider = new(chooseProvider);

    /// <summary>Creates an activator for a known provider.</summary>
    public OnnxModelActivator(ModelServer server, ServingOptions options, ExecutionProvider provider)
        : this(server, options, () => provider)
    {
    }

    /// <summary>Checked before every swap; a version it refuses is not swapped in (<see cref="RefusalCode.IncompatibleWithPipeline"/>). Null: no check.</summary>
    public IModelCompatibilityCheck? Compatibility { get; init; }

    /// <summary>
    /// The measured plan search with its cache (<see cref="Planning.ModelPlanner"/>); null keeps the optimiser-only path
    /// (one level, <see cref="ServingOptions.IntraOpThreads"/>, the probed provider).
    /// </summary>
    public Planning.ModelPlanner? Planner { get; init; }

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

        var provider = _provider.Value;
        var (plan, record) = await Task.Run(() => LoadOrBuildPlan(model, provider, progress, cancellationToken), cancellationToken);

        progress.Report(new ModelStepProgress(ModelPhase.Planning, $"building the {provider} session and warming up"));
        var served = await Task.Run(() => StartSession(model, plan, record, PlanSettings.RuntimeDefault with { Provider = provider, IntraOpThreads = options.IntraOpThreads }), cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            served.Release();
            cancellationToken.ThrowIfCancellationRequested();
        }

        _ = server.Swap(served);
    }

    private async Task ActivatePlannedAsync(Planning.ModelPlanner planner, InstalledModel model, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();

        // The signed file is checked on every activation, a restore included, before any plan of it is trusted.
        await Task.Run(() => ReadVerified(model), cancellationToken);
        var planned = await Task.Run(() => planner.Plan(model, progress, cancellationToken), cancellationToken);
        progress.Report(new ModelStepProgress(ModelPhase.Planning, $"building the session ({planned.Settings.Describe()}) and warming up"));
        var served = await Task.Run(() => StartSession(model, planned.Model, Record(planned), planned.Settings), cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            served.Release();
            cancellationToken.ThrowIfCancellationRequested();
        }

        _ = server.Swap(served);
        planner.ReportServing(model, planned, watch.Elapsed);
        if (planned.Source == Planning.PlanSource.Previous)
        {
            // The previous plan serves; the search for the new key runs in the background and swaps in when done.
            _ = Task.Run(
                () =>
                {
                    var replanned = planner.Search(model, planned.Key, progress, CancellationToken.None);
                    if (server.ServingVersion(model.Name) == model.Version)
                    {
                        _ = server.Swap(StartSession(model, replanned.Model, Record(replanned), replanned.Settings));
                        planner.ReportServing(model, replanned, watch.Elapsed);
                    }
                },
                CancellationToken.None);
        }
    }

    private static ExecutionPlan Record(Planning.PlannedModel planned) =>
        new(planned.Key, Convert.ToHexStringLower(SHA256.HashData(planned.Model)), planned.Description);

    /// <summary>The key a plan of <paramref name="model"/> (with inputs <paramref name="inputShapes"/>) is cached under on this device.</summary>
    public PlanCacheKey KeyFor(InstalledModel model, string inputShapes, ExecutionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new PlanCacheKey(
            model.Sha256,
            $"{ProcessorFingerprint.Current.Id}/{provider}",
            OrtEnv.Instance().GetVersionString(),
            RuntimeVersion.Current,
            inputShapes,
            string.Create(CultureInfo.InvariantCulture, $"level={options.OptimizationLevel};measured={options.MeasureVariants}"));
    }

    private (byte[] Plan, ExecutionPlan Record) LoadOrBuildPlan(InstalledModel model, ExecutionProvider provider, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
    {
        var original = ReadVerified(model);
        var key = KeyFor(model, PlanCacheKey.Shapes(OnnxModelReader.Read(original, model.Name, model.Directory).Graph.Inputs.Select(i => new KeyValuePair<string, int[]>(i.Name, Dims(i.TensorType)))), provider);
        if (PlanCache.TryLoad(model.Directory, key, out var miss) is { } cached)
        {
            progress.Report(new ModelStepProgress(ModelPhase.Optimising, $"using the cached plan ({cached.Record.Description})"));
            return cached;
        }

        byte[] plan;
        string description;
        if (options.OptimizationLevel == OptimizationLevel.O0)
        {
            (plan, description) = (original, "as delivered (Serving:OptimizationLevel O0)");
        }
        else
        {
            progress.Report(new ModelStepProgress(ModelPhase.Optimising, $"{options.OptimizationLevel}, verified against the original ({miss})"));
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
                (plan, description) = (original, $"as delivered (not optimised: {OneLine(ex.Message)})");
            }
        }

        try
        {
            return (plan, PlanCache.Store(model.Directory, key, plan, description));
        }
        catch (IOException ex)
        {
            throw new ModelActivationException(
                DiskErrors.IsOutOfSpace(ex) ? RefusalCode.DiskFull : RefusalCode.ActivationFailed,
                $"{model.Name} v{model.Version}: its plan could not be written ({OneLine(ex.Message)})" + (DiskErrors.IsOutOfSpace(ex) ? "; no space left on the device, retried when space returns" : string.Empty),
                ex);
        }
    }

    /// <summary>The model's bytes, checked against the signed sha256 the store holds for them.</summary>
    private static byte[] ReadVerified(InstalledModel model)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(model.Path);
        }
        catch (IOException ex)
        {
            throw new ModelActivationException(RefusalCode.StoreDamaged, $"{model.Name} v{model.Version}: the model file cannot be read ({OneLine(ex.Message)})", ex);
        }

        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return digest == model.Sha256
            ? bytes
            : throw new ModelActivationException(RefusalCode.StoreDamaged, $"{model.Name} v{model.Version}: the model file has sha256 {digest[..16]}…, not the signed {model.Sha256[..Math.Min(16, model.Sha256.Length)]}…");
    }

    private ServedModel StartSession(InstalledModel model, byte[] plan, ExecutionPlan record, PlanSettings settings)
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

            if (Compatibility?.Check(Interface(model, session)) is { } reason)
            {
                throw new ModelActivationException(RefusalCode.IncompatibleWithPipeline, $"{model.Name} v{model.Version} does not fit its pipeline: {reason}");
            }

            return new ServedModel(model.Name, model.Version, session, $"{record.Description}; {provider}", model) { Execution = record };
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or OnnxFormatException or NotSupportedException or ModelActivationException)
        {
            session?.Dispose();
            throw ex as ModelActivationException ?? new ModelActivationException($"{model.Name} v{model.Version} failed to start on {provider}: {OneLine(ex.Message)}", ex);
        }
    }

    private static ModelInterface Interface(InstalledModel model, ModelSession session) => new(
        model.Name,
        model.Version,
        session.InputNames.ToDictionary(n => n, n => session.InputMetadata[n].Dimensions, StringComparer.Ordinal),
        session.OutputNames.ToDictionary(n => n, n => session.OutputMetadata[n].Dimensions, StringComparer.Ordinal),
        session.CustomMetadata);

    private static int[] Dims(Graph.Ir.TensorType? type) =>
        type?.Shape is { } shape ? [.. shape.Dims.Select(d => d.Value is { } v && v <= int.MaxValue ? (int)v : -1)] : [];

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
