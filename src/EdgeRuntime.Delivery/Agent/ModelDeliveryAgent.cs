using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Preflight;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// The device side of model delivery. It listens for signed manifests and commands; for each accepted version it
/// downloads what is missing (resuming), verifies every chunk and the whole file, runs pre-flight in a separate
/// process, installs into the store atomically and hands the version to the activator, which swaps it in. Any
/// refusal leaves the serving version untouched and puts the reason in the status. Work for one model is
/// serialised in that model's lane; different models proceed in parallel. The caller owns the agent and
/// disposes it.
/// </summary>
public sealed partial class ModelDeliveryAgent : IAsyncDisposable
{
    private readonly DeliveryAgentParts _parts;
    private readonly ModelStore _store;
    private readonly ModelProgressReporter _progress;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Channel<Func<CancellationToken, Task>>> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _laneWorkers = [];
    private readonly ConcurrentDictionary<string, byte> _refusedEnvelopes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private int _disposed;

    /// <summary>Creates the agent; nothing happens until <see cref="StartAsync"/>.</summary>
    public ModelDeliveryAgent(DeliveryAgentParts parts, ILogger<ModelDeliveryAgent> logger)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = parts;
        _store = parts.Store;
        _progress = parts.Progress;
        _logger = logger;
    }

    private DeliveryOptions Options => _parts.Options;

    private MqttTopics Topics => _parts.Topics;

    private TimeProvider Clock => _parts.TimeProvider;

    /// <summary>
    /// Puts back into service what served before the restart (in each model's lane), then subscribes to manifests
    /// and commands. Returns once the subscriptions are registered; restoring continues in the background.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in _store.Models())
        {
            if (_store.State(model).ServingVersion is { } serving)
            {
                Enqueue(model, token => RestoreAsync(model, serving, token));
            }
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

        _subscriptions.Add(await _parts.Connection.SubscribeAsync(Topics.AllModelManifests, OnManifestAsync, cancellationToken: cancellationToken));
        _subscriptions.Add(await _parts.Connection.SubscribeAsync(Topics.DeviceCommands(_parts.DeviceId), OnCommandAsync, cancellationToken: cancellationToken));
    }

    /// <summary>Completes when every lane has nothing left to do (tests and the benchmark wait on it).</summary>
    public async Task WaitUntilIdleAsync(CancellationToken cancellationToken)
    {
        foreach (var (model, _) in _lanes)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Enqueue(model, _ =>
            {
                done.TrySetResult();
                return Task.CompletedTask;
            });
            await done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops listening and cancels work in progress (a download resumes on the next start). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        await _stopping.CancelAsync();
        foreach (var lane in _lanes.Values)
        {
            lane.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(_laneWorkers);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    /// <summary>Queues <paramref name="work"/> in <paramref name="model"/>'s lane, after what is already there.</summary>
    private void Enqueue(string model, Func<CancellationToken, Task> work)
    {
        var lane = _lanes.GetOrAdd(model, name =>
        {
            var channel = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });
            _laneWorkers.Add(Task.Run(() => RunLaneAsync(name, channel.Reader)));
            return channel;
        });
        lane.Writer.TryWrite(work);
    }

    private async Task RunLaneAsync(string model, ChannelReader<Func<CancellationToken, Task>> reader)
    {
        var token = _stopping.Token;
        try
        {
            await foreach (var work in reader.ReadAllAsync(token))
            {
                try
                {
                    await work(token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // Each step reports its own failures; this is the net under them, so a bug never ends the lane.
                    LogLaneError(_logger, model, ex);
                    _progress.Report(model, _store.State(model).ServingVersion ?? 0, ModelPhase.Failed, $"internal error: {ex.Message}", _parts.Activator.ServingVersion(model));
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task RestoreAsync(string model, long version, CancellationToken cancellationToken)
    {
        var installed = _store.Get(model, version);
        if (installed is null)
        {
            _progress.Report(model, version, ModelPhase.Failed, $"v{version} was serving but is missing from the model store", null);
            return;
        }

        await ActivateAsync(installed, cancellationToken);
    }

    /// <summary>Hands a stored version to the activator; reports the outcome. Returns whether it serves now.</summary>
    private async Task<bool> ActivateAsync(InstalledModel installed, CancellationToken cancellationToken)
    {
        var progress = new StepProgress(this, installed);
        try
        {
            await _parts.Activator.ActivateAsync(installed, progress, cancellationToken);
        }
        catch (ModelActivationException ex)
        {
            _progress.Report(installed.Name, installed.Version, ModelPhase.Failed, ex.Message, _parts.Activator.ServingVersion(installed.Name));
            return false;
        }

        _store.MarkServing(installed.Name, installed.Version);
        _store.Prune(installed.Name, Options.KeepVersions);
        _progress.Report(installed.Name, installed.Version, ModelPhase.Serving, null, installed.Version);
        return true;
    }

    /// <summary>Activation steps: every message updates the status; a change of phase is also an event.</summary>
    private sealed class StepProgress(ModelDeliveryAgent owner, InstalledModel model) : IProgress<ModelStepProgress>
    {
        private ModelPhase? _lastPhase;

        public void Report(ModelStepProgress value)
        {
            var phaseChanged = value.Phase != _lastPhase;
            _lastPhase = value.Phase;
            owner._progress.Report(model.Name, model.Version, value.Phase, value.Detail, owner._parts.Activator.ServingVersion(model.Name), publishEvent: phaseChanged);
        }
    }
}

/// <summary>What the agent works with; built by the daemon (or a test) and owned by the caller.</summary>
/// <param name="Options">Delivery settings.</param>
/// <param name="DeviceId">This device's id (commands for others are refused).</param>
/// <param name="Connection">The device's broker connection.</param>
/// <param name="Topics">The topic contract.</param>
/// <param name="TrustedKeys">Keys whose signatures are accepted.</param>
/// <param name="Store">The versioned model store.</param>
/// <param name="DownloadsDirectory">Where partial downloads live (same file system as the store).</param>
/// <param name="BrokerChunks">Chunks from the broker.</param>
/// <param name="UrlChunks">Chunks from a manifest's URL.</param>
/// <param name="Preflight">The separate-process model check.</param>
/// <param name="Activator">Puts verified versions into service.</param>
/// <param name="Progress">Status and events.</param>
/// <param name="TimeProvider">Clock for expiry checks.</param>
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
    TimeProvider TimeProvider);
