using System.Collections.Concurrent;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Agent.Steps;
using EdgeRuntime.Delivery.Preflight;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;
using Polly;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// The device side of model delivery, shaped like Azure IoT Edge's agent: manifests and commands from the broker set
/// each model's desired state; one <see cref="ModelReconciler"/> per model observes its current state, asks the pure
/// <see cref="Core.Delivery.DeliveryPlanner"/> what to do, runs the resulting steps (fetch → verify → pre-flight → install
/// → activate → prune, each with an undo) and reports every step and refusal with its code. Models proceed in parallel;
/// within a model, a command or a newer version preempts a running download. At start every model's recorded version is
/// served again after its files are checked (and repaired from the broker when damaged), the built-in v0 where there is
/// nothing else. The caller owns the agent and disposes it.
/// </summary>
public sealed partial class ModelDeliveryAgent : IAsyncDisposable
{
    private readonly DeliveryAgentParts _parts;
    private readonly AgentServices _services;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ModelReconciler> _reconcilers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReconcilerMemory> _memories = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    /// <summary>Creates the agent; nothing happens until <see cref="StartAsync"/>.</summary>
    public ModelDeliveryAgent(DeliveryAgentParts parts, ILogger<ModelDeliveryAgent> logger)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (Path.GetFullPath(parts.DownloadsDirectory) != parts.Store.DownloadsRoot)
        {
            throw new ArgumentException($"downloads go to the store's downloads folder '{parts.Store.DownloadsRoot}' (counted in its quota), not '{parts.DownloadsDirectory}'", nameof(parts));
        }

        _parts = parts;
        _logger = logger;
        var effects = new StepEffects(
            parts.Options,
            parts.Store,
            parts.TrustedKeys,
            parts.Activator,
            parts.BuiltIns,
            parts.Preflight,
            parts.BrokerChunks,
            parts.UrlChunks,
            parts.SourcePipeline ?? SourceFetchPipeline.Create(parts.TimeProvider, logger),
            parts.Progress,
            parts.Trust,
            parts.TimeProvider,
            logger);
        IDeliveryStep[] steps =
        [
            new DiscardDownloadStep(effects),
            new DiscardStoredStep(effects),
            new FetchStep(effects),
            new VerifyFileStep(effects),
            new PreflightStep(effects),
            new InstallStep(effects),
            new CheckStoredStep(effects, MemoryOf),
            new ActivateStep(effects, Core.Delivery.StepKind.Activate),
            new ActivateStep(effects, Core.Delivery.StepKind.ActivateFallback),
            new PruneStep(effects),
        ];
        _services = new AgentServices(
            effects,
            new DeliveryStepRunner(steps, logger),
            new CurrentStateReader(effects),
            parts.Connection,
            parts.Topics,
            parts.CommandPipeline ?? CommandDeadlinePipeline.Create(parts.TimeProvider),
            parts.Options.Limits(),
            Core.Delivery.TargetedDevice.Of(parts.DeviceId, parts.DeviceTags),
            parts.TimeProvider,
            logger);
    }

    private DeliveryOptions Options => _parts.Options;

    private MqttTopics Topics => _parts.Topics;

    private TimeProvider Clock => _parts.TimeProvider;

    /// <summary>
    /// Starts a loop for every model the store holds or the device can build, each of which puts the recorded version back
    /// into service first; then subscribes to manifests and commands. Returns once the subscriptions are registered.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in _parts.Store.Models().Concat(_parts.BuiltIns?.Names ?? []).Distinct(StringComparer.Ordinal))
        {
            ReconcilerFor(model);
        }

        if (!Options.Enabled)
        {
            LogDisabled(_logger);
            return;
        }

        if (_parts.TrustedKeys.Ids.Count == 0)
        {
            LogNoTrustedKeys(_logger);
        }

        // Not unsubscribed at stop (see DisposeAsync): the connection's owner closes them with the connection. Latest
        // statements and manifests on one subscription, whose messages are handled one at a time in the order they
        // came: the fleet publishes a statement just before the manifest it names, so the device sees them so.
        await _parts.Connection.SubscribeAsync(Topics.AllModelLatestDocuments, OnLatestDocumentAsync, cancellationToken: cancellationToken);
        await _parts.Connection.SubscribeAsync(Topics.DeviceCommands(_parts.DeviceId), OnCommandAsync, cancellationToken: cancellationToken);
    }

    /// <summary>Completes when every model's loop has reconciled what arrived so far and has nothing left to do (tests and the benchmark wait on it).</summary>
    public async Task WaitUntilIdleAsync(CancellationToken cancellationToken)
    {
        foreach (var reconciler in _reconcilers.Values)
        {
            await reconciler.WaitUntilIdleAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stops handling manifests and commands and cancels work in progress (a download resumes on the next start). The
    /// broker subscriptions stay (the session keeps queuing commands for the next start). Idempotent.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // The subscriptions stay on the broker: a device stopped cleanly keeps its session, so commands sent while it is
        // down are queued there and delivered when it is back. Messages that arrive from now on are left unacknowledged
        // (see HeldUntilStopAsync) and come again with the next session.
        await _stopping.CancelAsync();
        foreach (var reconciler in _reconcilers.Values)
        {
            await reconciler.DisposeAsync();
        }

        try
        {
            await Task.WhenAll(_replies.Values);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// While the agent stops, a message for it is held unacknowledged until the connection closes (its token is
    /// cancelled then), so the broker delivers it again to the next session instead of it being lost.
    /// </summary>
    private async Task HeldUntilStopAsync(CancellationToken cancellationToken) =>
        await Task.Delay(Timeout.InfiniteTimeSpan, Clock, cancellationToken);

    private ReconcilerMemory MemoryOf(string model) => _memories.GetOrAdd(model, _ => new ReconcilerMemory());

    private ModelReconciler ReconcilerFor(string model) => _reconcilers.GetOrAdd(model, name =>
    {
        var reconciler = new ModelReconciler(name, _services, MemoryOf(name));
        reconciler.Start(_stopping.Token);
        return reconciler;
    });
}

/// <summary>What the agent works with; built by the daemon (or a test) and owned by the caller.</summary>
/// <param name="Options">Delivery settings.</param>
/// <param name="DeviceId">This device's id (commands for others are refused).</param>
/// <param name="Connection">The device's broker connection.</param>
/// <param name="Topics">The topic contract.</param>
/// <param name="TrustedKeys">Keys whose signatures are accepted.</param>
/// <param name="Store">The versioned model store.</param>
/// <param name="DownloadsDirectory">Where partial downloads live (same file system as the store; the store's <see cref="ModelStore.DownloadsRoot"/>).</param>
/// <param name="BrokerChunks">Chunks from the broker.</param>
/// <param name="UrlChunks">Chunks from a manifest's URL.</param>
/// <param name="Preflight">The separate-process model check.</param>
/// <param name="Activator">Puts verified versions into service.</param>
/// <param name="Progress">Status and events.</param>
/// <param name="TimeProvider">Clock for expiry, retry and abandonment.</param>
/// <param name="Trust">What the device keeps across restarts to judge signed documents: command nonces, version floors, the newest signed time.</param>
public sealed record DeliveryAgentParts(
    DeliveryOptions Options,
    string DeviceId,
    MqttConnectionSupervisor Connection,
    MqttTopics Topics,
    TrustedKeys TrustedKeys,
    ModelStore Store,
    string DownloadsDirectory,
    IChunkSource BrokerChunks,
    IChunkSource UrlChunks,
    PreflightRunner Preflight,
    IModelActivator Activator,
    ModelProgressReporter Progress,
    TimeProvider TimeProvider,
    Trust.DeviceTrust Trust)
{
    /// <summary>This device's tags (<c>DeviceTags</c>), which manifest targets may name; empty: none.</summary>
    public IReadOnlyList<string> DeviceTags { get; init; } = [];

    /// <summary>Models the device builds itself as version 0 (served when nothing else is, reachable by rollback); null: none.</summary>
    public IBuiltInModels? BuiltIns { get; init; }

    /// <summary>The <c>delivery-source</c> pipeline from the daemon's registry; null: a stand-alone one.</summary>
    public ResiliencePipeline? SourcePipeline { get; init; }

    /// <summary>The <c>delivery-command</c> pipeline from the daemon's registry; null: a stand-alone one.</summary>
    public ResiliencePipeline? CommandPipeline { get; init; }
}
