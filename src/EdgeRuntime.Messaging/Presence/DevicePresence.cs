using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Core.Pipelines;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Messaging.Presence;

/// <summary>
/// Keeps the device's retained status on <c>{root}/devices/{id}/status</c> current: online on every
/// connect (a broker that restarted without persistence has forgotten it), again when a model's state
/// changes and on each refresh, offline at a clean stop. The last will, set on the connection, covers an
/// unclean end. Thread-safe.
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
    private IDisposable? _connectedRegistration;
    private volatile bool _stopped;

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
        _connectedRegistration = _supervisor.OnConnected((_, _) =>
        {
            // Queue it and return: the PUBACK may only come on a later connection.
            _ = PublishOnlineAsync();
            return Task.CompletedTask;
        });
        _models.Changed += OnModelsChanged;
        _pipelines.Changed += OnModelsChanged;
        _learning.Changed += OnModelsChanged;
        _plans.Changed += OnModelsChanged;
        _clock.Changed += OnModelsChanged;
    }

    /// <summary>The status document as it stands now.</summary>
    public DeviceStatus Current(DeviceState state, string? reason = null) => new(
        _identity.DeviceId,
        state,
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
        _clock.Snapshot(_timeProvider.GetUtcNow()));

    /// <summary>Queues the online status; it replaces any older status still waiting for the broker.</summary>
    public Task PublishOnlineAsync()
    {
        if (_stopped)
        {
            return Task.CompletedTask;
        }

        return PublishAsync(Current(DeviceState.Online));
    }

    /// <summary>Publishes the offline status (reason shutdown) and stops all further publishing.</summary>
    public Task PublishOfflineAsync()
    {
        _stopped = true;
        _models.Changed -= OnModelsChanged;
        _pipelines.Changed -= OnModelsChanged;
        _learning.Changed -= OnModelsChanged;
        _clock.Changed -= OnModelsChanged;

        return PublishAsync(Current(DeviceState.Offline, "shutdown"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _models.Changed -= OnModelsChanged;
        _pipelines.Changed -= OnModelsChanged;
        _learning.Changed -= OnModelsChanged;
        _clock.Changed -= OnModelsChanged;

        _connectedRegistration?.Dispose();
    }

    private void OnModelsChanged() => _ = PublishOnlineAsync();

    private async Task PublishAsync(DeviceStatus status)
    {
        var message = new OutgoingMessage(_topics.DeviceStatus(status.DeviceId), DeviceStatusJson.Serialize(status), retain: true)
        {
            ReplacesQueued = true,
            ContentType = "application/json",
        };
        try
        {
            await _supervisor.PublishAsync(message);
        }
        catch (Exception ex) when (ex is OutgoingQueueFullException or PublishRejectedException or ObjectDisposedException)
        {
            LogStatusNotPublished(_logger, status.State.ToString(), ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device status ({State}) not published: {Reason}")]
    private static partial void LogStatusNotPublished(ILogger logger, string state, string reason);
}
