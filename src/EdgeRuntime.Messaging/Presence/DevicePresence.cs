using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Core.Pipelines;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Identity;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Messaging.Presence;

/// <summary>
/// Keeps the device's retained status on <c>{root}/devices/{id}/status</c> current: online on every
/// connect (a broker that restarted without persistence has forgotten it), again when a model's state
/// changes and on each refresh, offline at a clean stop. The last will, set on the connection, covers an
/// unclean end. While the supervisor reports a client id conflict the state is <c>conflict</c>, with what is known of
/// the other process: every reconnect first reads the device's own retained status before publishing; one from a
/// process started at another moment (its status, or its last will) is another process with this id, which the
/// supervisor counts as a takeover (<see cref="MqttConnectionSupervisor.ReportOtherProcess"/>) — the only sign of one
/// from a broker that closes the old connection without a reason.
/// Thread-safe.
/// </summary>
public sealed partial class DevicePresence : IDisposable
{
    private readonly MqttConnectionSupervisor _supervisor;
    private readonly MqttTopics _topics;
    private readonly DeviceIdentity _identity;
    private readonly ModelStatusBoard _models;
    private readonly PipelineStatusBoard _pipelines;
    private readonly LearningStatusBoard _learning;
    private readonly PlanStatusBoard _plans;
    private readonly ClockStatusBoard _clock;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lookingForOther = new(1, 1);
    private IDisposable? _connectedRegistration;
    private IAsyncDisposable? _ownStatusSubscription;
    private volatile OtherInstance? _other;
    private long _lookingOnConnection;
    private volatile bool _stopped;
    private volatile DeviceStatus? _offline;

    public DevicePresence(
        MqttConnectionSupervisor supervisor,
        MqttTopics topics,
        DeviceIdentity identity,
        ModelStatusBoard models,
        TimeProvider timeProvider,
        ILogger<DevicePresence> logger,
        PipelineStatusBoard? pipelines = null,
        LearningStatusBoard? learning = null,
        PlanStatusBoard? plans = null,
        ClockStatusBoard? clock = null)
    {
        _clock = clock ?? new ClockStatusBoard();
        _plans = plans ?? new PlanStatusBoard();
        _pipelines = pipelines ?? new PipelineStatusBoard();
        _learning = learning ?? new LearningStatusBoard();
        _supervisor = supervisor;
        _topics = topics;
        _identity = identity;
        _models = models;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The last will for this device's connection: its status, offline, reason connection-lost.</summary>
    public static MqttLastWill CreateLastWill(MqttTopics topics, DeviceIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(identity);
        var will = new DeviceStatus(
            identity.DeviceId,
            DeviceState.Offline,
            identity.RuntimeVersion,
            identity.StartedAt,
            UptimeSeconds: 0,
            Timestamp: identity.StartedAt,
            Host: null,
            Models: [],
            Reason: "connection-lost");
        return new MqttLastWill(topics.DeviceStatus(identity.DeviceId), DeviceStatusJson.Serialize(will));
    }

    /// <summary>Starts publishing: on every connect and on every model change.</summary>
    public void Start()
    {
        _connectedRegistration = _supervisor.OnConnected(async (established, cancellationToken) =>
        {
            if (established.ConnectionNumber > 1)
            {
                // Before our own status replaces it: after a takeover the retained one is the other process's, or its last will.
                await LookForOtherInstanceAsync(established.ConnectionNumber, cancellationToken);
            }

            // Queue it and return: the PUBACK may only come on a later connection.
            _ = PublishOnlineAsync();
        });
        _supervisor.TakeoversChanged += OnTakeoversChanged;
        _models.Changed += OnModelsChanged;
        _pipelines.Changed += OnModelsChanged;
        _learning.Changed += OnModelsChanged;
        _plans.Changed += OnModelsChanged;
        _clock.Changed += OnModelsChanged;
    }

    /// <summary>The status document as it stands now; online becomes conflict while the client id is in conflict.</summary>
    public DeviceStatus Current(DeviceState state, string? reason = null)
    {
        var conflict = state == DeviceState.Online ? CurrentConflict() : null;
        return new DeviceStatus(
            _identity.DeviceId,
            conflict is null ? state : DeviceState.Conflict,
            _identity.RuntimeVersion,
            _identity.StartedAt,
            (long)_timeProvider.GetElapsedTime(_identity.StartTimestamp).TotalSeconds,
            _timeProvider.GetUtcNow(),
            _identity.Host,
            _models.Snapshot(),
            reason,
            _pipelines.Snapshot() is { Count: > 0 } pipelines ? pipelines : null,
            _learning.Snapshot() is { Count: > 0 } learning ? learning : null,
            _plans.Device,
            _plans.Snapshot() is { Count: > 0 } plans ? plans : null,
            _clock.Snapshot(_timeProvider.GetUtcNow()),
            conflict);
    }

    /// <summary>Queues the online status; it replaces any older status still waiting for the broker.</summary>
    public Task PublishOnlineAsync()
    {
        if (_stopped)
        {
            return Task.CompletedTask;
        }

        var online = PublishAsync(Current(DeviceState.Online));

        // PublishOfflineAsync may have run between the check and the queueing (a model report or a reconnect racing the
        // shutdown): the offline status must be the last one the broker keeps, so it is queued again behind this one.
        return _stopped && _offline is { } offline ? Task.WhenAll(online, PublishAsync(offline)) : online;
    }

    /// <summary>Publishes the offline status (reason shutdown) and stops all further publishing.</summary>
    /// <returns>True once the broker acknowledged it; false when it could not be queued or was refused (logged).</returns>
    public Task<bool> PublishOfflineAsync()
    {
        var offline = Current(DeviceState.Offline, "shutdown");
        _offline = offline;
        _stopped = true;
        _models.Changed -= OnModelsChanged;
        _pipelines.Changed -= OnModelsChanged;
        _learning.Changed -= OnModelsChanged;
        _clock.Changed -= OnModelsChanged;

        return PublishAsync(offline);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _models.Changed -= OnModelsChanged;
        _pipelines.Changed -= OnModelsChanged;
        _learning.Changed -= OnModelsChanged;
        _clock.Changed -= OnModelsChanged;

        _supervisor.TakeoversChanged -= OnTakeoversChanged;
        _connectedRegistration?.Dispose();
        _lookingForOther.Dispose();
    }

    private void OnModelsChanged() => _ = PublishOnlineAsync();

    private void OnTakeoversChanged()
    {
        // A takeover happens while disconnected: the next connect publishes, after reading the other side's status.
        if (_supervisor.IsConnected)
        {
            _ = PublishOnlineAsync();
        }
    }

    private ClientIdConflict? CurrentConflict()
    {
        var history = _supervisor.Takeovers;
        if (history.ConflictSince is not { } since)
        {
            return null;
        }

        var options = _supervisor.ConflictOptions;
        var other = _other;
        return new ClientIdConflict(
            _supervisor.ClientId,
            history.Total,
            options.WindowSeconds,
            since,
            TakeoverRules.BackOff(history, options)?.TotalSeconds ?? 0,
            other?.StartedAt,
            other?.HostName);
    }

    private async Task LookForOtherInstanceAsync(long connectionNumber, CancellationToken cancellationToken)
    {
        await _lookingForOther.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Exchange(ref _lookingOnConnection, connectionNumber);
            // A new SUBSCRIBE makes the broker send the retained message again; the old subscription goes first.
            if (_ownStatusSubscription is { } previous)
            {
                _ownStatusSubscription = null;
                await previous.DisposeAsync();
            }

            _ownStatusSubscription = await _supervisor.SubscribeAsync(_topics.DeviceStatus(_identity.DeviceId), OnOwnStatusAsync, cancellationToken: cancellationToken);
        }
        finally
        {
            _lookingForOther.Release();
        }
    }

    private Task OnOwnStatusAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var status = message.Payload.IsEmpty ? null : DeviceStatusJson.TryParse(message.Payload.Span, out _);
        if (status is null || status.StartedAt == _identity.StartedAt)
        {
            return Task.CompletedTask;
        }

        // Another process with this device id reports to the broker: count it as a takeover of this connection.
        _supervisor.ReportOtherProcess(Interlocked.Read(ref _lookingOnConnection));
        var known = _other;
        var seen = new OtherInstance(status.StartedAt, status.Host?.HostName ?? (known?.StartedAt == status.StartedAt ? known.HostName : null));
        if (seen != known)
        {
            _other = seen;
            LogOtherInstance(_logger, _identity.DeviceId, status.StartedAt, seen.HostName ?? "?");
            OnTakeoversChanged();
        }

        return Task.CompletedTask;
    }

    private async Task<bool> PublishAsync(DeviceStatus status)
    {
        var message = new OutgoingMessage(_topics.DeviceStatus(status.DeviceId), DeviceStatusJson.Serialize(status), retain: true)
        {
            ReplacesQueued = true,
            ContentType = "application/json",
        };
        try
        {
            await _supervisor.PublishAsync(message);
            return true;
        }
        catch (Exception ex) when (ex is OutgoingQueueFullException or PublishRejectedException or ObjectDisposedException)
        {
            LogStatusNotPublished(_logger, status.State.ToString(), ex.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Another process with device id {DeviceId} reports to the broker: started {StartedAt:O} on host {HostName}")]
    private static partial void LogOtherInstance(ILogger logger, string deviceId, DateTimeOffset startedAt, string hostName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device status ({State}) not published: {Reason}")]
    private static partial void LogStatusNotPublished(ILogger logger, string state, string reason);
}

/// <summary>What the device's own retained status told of another process with the same device id.</summary>
/// <param name="StartedAt">When it started.</param>
/// <param name="HostName">Its host name, when its status (not only its last will) was seen.</param>
internal sealed record OtherInstance(DateTimeOffset StartedAt, string? HostName);
