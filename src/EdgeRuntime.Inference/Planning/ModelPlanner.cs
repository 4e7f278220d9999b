using System.Diagnostics;
using System.Globalization;
using EdgeRuntime.Core;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Inference.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// The daemon's side of planning: for an installed model version, the plan to serve — from the plan store when its key
/// (model sha256, device fingerprint and provider, ONNX Runtime and EdgeRuntime versions, input shapes, search options)
/// matches; a previous plan of the same model under another key while a re-plan runs in the background; else a measured
/// search now. Probes the device once (lazily: a device without models never loads ONNX Runtime) and reports it, with
/// the provider fallback, to the <see cref="PlanStatusBoard"/>. Its progress is the <c>optimising</c> phase of the model
/// status (the search and the cache); the activator reports <c>planning</c> while it builds the session and warms it up.
/// Thread-safe.
/// </summary>
public sealed partial class ModelPlanner
{
    private readonly ServingOptions _options;
    private readonly PlanStatusBoard _board;
    private readonly ILogger _logger;
    private readonly Lazy<(DeviceProfile Device, ProviderChoice Choice)> _device;

    /// <summary>Creates a planner; <paramref name="probe"/> gives the device profile (default: <see cref="DeviceProbe.Current"/>).</summary>
    public ModelPlanner(ServingOptions options, PlanStatusBoard board, ILogger<ModelPlanner> logger, Func<DeviceProfile>? probe = null)
    {
        _options = options;
        _board = board;
        _logger = logger;
        _device = new(() =>
        {
            var device = (probe ?? (() => DeviceProbe.Current))();
            var choice = ProviderChoice.Resolve(RequestedProvider(options.Provider), device);
            LogDevice(_logger, device.Fingerprint, device.CpuModel, string.Join(" ", device.InstructionSets), device.Cores, choice.Provider.ToString());
            if (choice.Fallback is { } fallback)
            {
                LogFallback(_logger, fallback);
            }

            board.ReportDevice(device);
            return (device, choice);
        });
    }

    /// <summary>The provider sessions run on here (probes on first use).</summary>
    public ProviderChoice Provider => _device.Value.Choice;

    /// <summary>The plan to serve <paramref name="model"/> with; never throws for a model ONNX Runtime can run as delivered.</summary>
    public PlannedModel Plan(InstalledModel model, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(progress);
        var (device, choice) = _device.Value;
        var key = KeyFor(model, device, choice.Provider);
        var store = StoreFor(model);
        if (store.TryLoad(key, out var miss) is { } cached)
        {
            progress.Report(new ModelStepProgress(ModelPhase.Optimising, $"using the cached plan ({cached.Record.Settings.Describe()})"));
            LogCacheHit(_logger, model.Name, model.Version, cached.Record.Settings.Describe(), key.ContentHash()[..12]);
            return new PlannedModel(cached.Record.Settings, cached.Model, cached.Record.Plan.Description, PlanSource.Cache, key);
        }

        if (!_options.PlanSearch)
        {
            progress.Report(new ModelStepProgress(ModelPhase.Optimising, "as delivered (Serving:PlanSearch false)"));
            var settings = PlanSettings.RuntimeDefault with { Provider = choice.Provider, IntraOpThreads = _options.IntraOpThreads };
            return new PlannedModel(settings, File.ReadAllBytes(model.Path), "as delivered (Serving:PlanSearch false)", PlanSource.Default, key);
        }

        if (store.TryLoadPrevious(key) is { } previous)
        {
            progress.Report(new ModelStepProgress(ModelPhase.Optimising, $"serving the previous plan while re-planning ({miss})"));
            LogPrevious(_logger, model.Name, model.Version, previous.Record.Settings.Describe(), miss ?? "key changed");
            return new PlannedModel(previous.Record.Settings, previous.Model, previous.Record.Plan.Description, PlanSource.Previous, key);
        }

        LogCacheMiss(_logger, model.Name, model.Version, miss ?? "no plan", _options.PlanBudgetSeconds);
        return Search(model, key, progress, cancellationToken);
    }

    /// <summary>Searches and stores a plan under <paramref name="key"/> (also the background re-plan of a previous plan).</summary>
    public PlannedModel Search(InstalledModel model, PlanCacheKey key, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(progress);
        var (device, choice) = _device.Value;
        var watch = Stopwatch.StartNew();
        try
        {
            var search = new PlanSearch(SearchOptions(), device, step => progress.Report(new ModelStepProgress(ModelPhase.Optimising, step)));
            var result = search.Run(new PlanRequest { ModelPath = model.Path, Provider = choice.Provider }, cancellationToken);
            var ratio = result.Report.VersusDefault is { } v ? string.Create(CultureInfo.InvariantCulture, $", {v.Median:0.00}× ONNX Runtime's default") : string.Empty;
            var description = string.Create(CultureInfo.InvariantCulture, $"{result.Settings.Describe()}: searched {result.Report.Candidates.Count} candidates in {watch.Elapsed.TotalSeconds:0.0} s{ratio}");
            try
            {
                StoreFor(model).Store(key, result, description);
            }
            catch (IOException ex)
            {
                LogNotStored(_logger, model.Name, model.Version, ex.Message.ReplaceLineEndings(" "));
            }

            LogSearched(_logger, model.Name, model.Version, description);
            return new PlannedModel(result.Settings, result.Model, description, PlanSource.Search, key);
        }
        catch (Exception ex) when (ex is VerificationException or OnnxFormatException or NotSupportedException or ArgumentException or OnnxRuntimeException or InvalidOperationException)
        {
            // Pre-flight proved ONNX Runtime runs the model as delivered: without a search, serve it as ONNX Runtime's default would.
            var reason = ex.Message.ReplaceLineEndings(" ");
            LogSearchFailed(_logger, model.Name, model.Version, reason);
            return new PlannedModel(PlanSettings.RuntimeDefault with { Provider = choice.Provider }, File.ReadAllBytes(model.Path), $"as delivered (no plan search: {reason})", PlanSource.Default, key);
        }
    }

    /// <summary>Reports the plan a model serves with (after the swap), and how long activation took to the first inference.</summary>
    public void ReportServing(InstalledModel model, PlannedModel plan, TimeSpan sinceActivation, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        var source = plan.Source switch
        {
            PlanSource.Cache => "cache",
            PlanSource.Search => "search",
            PlanSource.Previous => "previous",
            _ => "default",
        };
        LogServing(_logger, model.Name, model.Version, sinceActivation.TotalSeconds, source, plan.Settings.Describe());
        _board.Report(new ServingPlan(model.Name, model.Version, plan.Settings.Provider, plan.Settings.Describe(), source, note ?? Provider.Fallback));
    }

    /// <summary>The key plans of <paramref name="model"/> are cached under on this device (fields as the delivery branch's <see cref="PlanCacheKey"/>).</summary>
    public PlanCacheKey KeyFor(InstalledModel model, DeviceProfile device, ExecutionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        var graph = OnnxModelReader.Read(model.Path);
        var shapes = PlanCacheKey.Shapes(graph.Graph.Inputs.Where(i => i.Initializer is null).Select(i => new KeyValuePair<string, int[]>(
            i.Name, i.TensorType?.Shape is { } shape ? [.. shape.Dims.Select(d => d.Value is { } v && v <= int.MaxValue ? (int)v : -1)] : [])));
        var options = SearchOptions();
        return new PlanCacheKey(
            model.Sha256,
            $"{device.Fingerprint}/{provider}",
            OrtEnv.Instance().GetVersionString(),
            RuntimeVersion.Current,
            shapes,
            string.Create(CultureInfo.InvariantCulture, $"search={_options.PlanSearch};levels={string.Join(',', options.OptimizerLevels)};budget={_options.PlanBudgetSeconds}"));
    }

    private PlanSearchOptions SearchOptions() => new()
    {
        Budget = TimeSpan.FromSeconds(_options.PlanBudgetSeconds),
        OptimizerLevels = _options.OptimizationLevel == OptimizationLevel.O0 ? [0] : [0, (int)_options.OptimizationLevel],
    };

    private static PlanStore StoreFor(InstalledModel model) => new(Path.Combine(model.Directory, "plans"));

    /// <summary>"auto" → null; a provider's name (any case) → it. Validated at start, so anything else is auto here.</summary>
    public static ExecutionProvider? RequestedProvider(string? text) =>
        Enum.TryParse<ExecutionProvider>(text, ignoreCase: true, out var provider) && Enum.IsDefined(provider) ? provider : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} v{Version}: serving {Seconds:0.000} s after activation began (warm-up inferences done), plan from {Source}: {Plan}")]
    private static partial void LogServing(ILogger logger, string model, long version, double seconds, string source, string plan);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Fingerprint}: {Cpu} [{Isa}], {Cores} cores; models run on {Provider}")]
    private static partial void LogDevice(ILogger logger, string fingerprint, string cpu, string isa, int cores, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Execution provider: {Fallback}")]
    private static partial void LogFallback(ILogger logger, string fallback);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} v{Version}: plan cache hit ({Plan}, key {Key}); no search")]
    private static partial void LogCacheHit(ILogger logger, string model, long version, string plan, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} v{Version}: plan cache miss ({Reason}); searching within {Budget} s")]
    private static partial void LogCacheMiss(ILogger logger, string model, long version, string reason, int budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} v{Version}: serving the previous plan ({Plan}) while re-planning in the background ({Reason})")]
    private static partial void LogPrevious(ILogger logger, string model, long version, string plan, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} v{Version}: plan {Description}")]
    private static partial void LogSearched(ILogger logger, string model, long version, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} v{Version}: no plan search ({Reason}); serving as delivered with ONNX Runtime's defaults")]
    private static partial void LogSearchFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} v{Version}: the plan could not be cached ({Reason}); the next start searches again")]
    private static partial void LogNotStored(ILogger logger, string model, long version, string reason);
}
