using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Identity;
using EdgeRuntime.Messaging.PacketSize;
using Microsoft.Extensions.Logging;
using MQTTnet;
using Polly;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>
/// Keeps one MQTT 5 connection alive and owns the session layer that MQTTnet's client leaves out:
/// <list type="bullet">
/// <item>reconnects through the <c>mqtt-reconnect</c> Polly pipeline (jittered exponential backoff, forever);</item>
/// <item>keeps every outgoing message until the broker acknowledges it and resends what was unacknowledged
/// on the next connection (the client restarts packet ids and resends nothing itself);</item>
/// <item>never has more QoS 1 messages in flight than the broker's Receive Maximum;</item>
/// <item>re-subscribes whenever the broker reports no session;</item>
/// <item>acknowledges an incoming message only after every matching handler finished, and only on the
/// connection that delivered it (an acknowledgement carries that connection's packet id);</item>
/// <item>for <see cref="HoldAtStart"/> after its first connection, holds a message on a topic named by
/// <see cref="HoldAtStartFor"/> that no handler matches yet (a kept session's queue arrives before the services
/// subscribe), unacknowledged, and hands it to the first handler that subscribes to it;</item>
/// <item>refuses any packet larger than the Maximum Packet Size it announced (the client options'
/// <c>MaximumPacketSize</c>) before allocating it, and closes that connection;</item>
/// <item>counts session takeovers (another client connecting with the same id) and, once they amount to a conflict
/// (<see cref="TakeoverRules"/>), waits before reconnecting instead of taking the connection back at once.</item>
/// </list>
/// Delivery is at least once: handlers must tolerate duplicates. QoS 2 is not offered.
/// Thread-safe. The caller owns the supervisor and disposes it (which disconnects).
/// </summary>
public sealed partial class MqttConnectionSupervisor : IAsyncDisposable
{
    /// <summary>
    /// How long after the first connection a message on a topic named by <see cref="HoldAtStartFor"/> that no handler
    /// matches is held, unacknowledged, for one to subscribe: a kept session delivers its queued messages right after
    /// CONNACK, while the daemon's services are still starting and subscribing.
    /// </summary>
    public static readonly TimeSpan HoldAtStart = TimeSpan.FromSeconds(30);

    /// <summary>Messages held for a handler at most (a bound on memory); beyond this the oldest is acknowledged and dropped (logged).</summary>
    public const int MaxHeldAtStart = 1000;

    private readonly MqttClientOptions _clientOptions;
    private readonly ResiliencePipeline _reconnectPipeline;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MqttClientFactory _clientFactory;
    private readonly ClientIdConflictOptions _conflictOptions;
    private readonly OutgoingQueue _outgoing;
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly List<UnclaimedMessage> _unclaimed = [];
    private readonly List<string> _heldAtStart = [];
    private bool _holdingUnclaimed = true;
    private ITimer? _holdAtStartTimer;
    private readonly List<Func<MqttConnectionEstablished, CancellationToken, Task>> _connectedHandlers = [];
    private readonly SemaphoreSlim _subscribeLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _runTask;
    private IMqttClient? _client;
    private long _connectionNumber;
    private long _sessionsLost;
    private long _received;
    private volatile string? _lastConnectError;
    private TakeoverHistory _takeovers = TakeoverHistory.None;
    private TimeSpan? _pendingBackOff;
    private bool _lossCounted;
    private long _reportedConnection;

    /// <summary>Creates a supervisor; nothing connects until <see cref="Start"/>.</summary>
    /// <param name="clientOptions">Built by <see cref="MqttClientOptionsFactory"/>: server, TLS, credentials, last will.</param>
    /// <param name="reconnectPipeline">The retry pipeline wrapped around each connection attempt.</param>
    /// <param name="maxQueuedMessages">Outgoing messages held at most (Mqtt:MaxQueuedMessages).</param>
    /// <param name="timeProvider">Clock for drain timeouts.</param>
    /// <param name="logger">Where connection changes are reported.</param>
    /// <param name="conflict">When takeovers of the client id make a conflict; null for the defaults.</param>
    public MqttConnectionSupervisor(
        MqttClientOptions clientOptions,
        ResiliencePipeline reconnectPipeline,
        int maxQueuedMessages,
        TimeProvider timeProvider,
        ILogger<MqttConnectionSupervisor> logger,
        ClientIdConflictOptions? conflict = null)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedMessages, 1);
        _clientOptions = clientOptions;
        _reconnectPipeline = reconnectPipeline;
        _timeProvider = timeProvider;
        _logger = logger;
        Endpoint = MqttClientOptionsFactory.Describe(clientOptions);
        _conflictOptions = conflict ?? new ClientIdConflictOptions();
        _clientFactory = new MqttClientFactory(
            new MQTTnet.Diagnostics.Logger.MqttNetNullLogger(),
            new PacketSizeLimitedClientAdapterFactory((size, limit) => LogPacketTooLarge(logger, Endpoint, size, limit, MqttPacketTooLargeException.Code)));
        _outgoing = new OutgoingQueue(maxQueuedMessages);
    }

    /// <summary>The broker, as <c>mqtt://host:port</c>, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>The client id this supervisor connects with.</summary>
    public string ClientId => _clientOptions.ClientId;

    /// <summary>Whether a connection is up now.</summary>
    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Why the latest connection attempt failed, or null once one succeeded.</summary>
    public string? LastConnectError => _lastConnectError;

    /// <summary>The takeovers of this client id so far, and whether they make a conflict.</summary>
    public TakeoverHistory Takeovers
    {
        get
        {
            lock (_gate)
            {
                return _takeovers;
            }
        }
    }

    /// <summary>
    /// Counts a takeover that the broker did not name: on connection <paramref name="connectionNumber"/>, made after the
    /// broker closed the previous one, the device's own retained status turned out to come from another process with
    /// the same id. Counted at most once per connection, and not when the broker already said "session taken over".
    /// </summary>
    public void ReportOtherProcess(long connectionNumber)
    {
        TakeoverHistory before, after;
        lock (_gate)
        {
            if (connectionNumber != Interlocked.Read(ref _connectionNumber) || connectionNumber <= _reportedConnection || _lossCounted)
            {
                return;
            }

            _reportedConnection = connectionNumber;
            before = _takeovers;
            after = TakeoverRules.Record(before, _timeProvider.GetUtcNow(), _conflictOptions);
            _takeovers = after;
        }

        TakeoversFound(before, after);
    }

    /// <summary>The conflict settings this supervisor counts takeovers with.</summary>
    public ClientIdConflictOptions ConflictOptions => _conflictOptions;

    /// <summary>Raised (on the connection's thread) after every takeover and when a conflict ends; handlers must not block.</summary>
    public event Action? TakeoversChanged;

    /// <summary>Counters since start.</summary>
    public MqttSessionStatistics Statistics => new(
        IsConnected,
        Interlocked.Read(ref _connectionNumber),
        Interlocked.Read(ref _sessionsLost),
        _outgoing.Count,
        _outgoing.InFlight,
        _outgoing.MaxInFlight,
        _outgoing.Acknowledged,
        _outgoing.Resent,
        _outgoing.Superseded,
        _outgoing.Rejected,
        Interlocked.Read(ref _received));

    /// <summary>
    /// Names the topic filters whose messages are held at start (<see cref="HoldAtStart"/>) when they arrive before their
    /// handler subscribes: the long-lived subscriptions a kept session queues for (fleet commands, receipts, the models'
    /// documents). Messages on other topics without a handler are acknowledged at once, so leftovers of an earlier run
    /// (chunks of a download it did not finish) never fill the broker's in-flight window. Call before <see cref="Start"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The supervisor has already been started.</exception>
    public void HoldAtStartFor(params IEnumerable<string> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        lock (_gate)
        {
            if (_runTask is not null)
            {
                throw new InvalidOperationException("Held topics are named before the supervisor starts.");
            }

            _heldAtStart.AddRange(filters);
        }
    }

    /// <summary>Starts connecting in the background. Call once.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_runTask is not null)
            {
                throw new InvalidOperationException("The supervisor has already been started.");
            }

            _runTask = Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    /// <summary>Completes once a connection is up (at once if one is).</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Registers a handler run after every successful connect, once subscriptions are in place. Handlers run
    /// in the background, one after another; their token is cancelled when that connection ends. A handler
    /// that throws is logged and does not affect the connection. Dispose the result to unregister.
    /// </summary>
    public IDisposable OnConnected(Func<MqttConnectionEstablished, CancellationToken, Task> handler)
    {
        lock (_gate)
        {
            _connectedHandlers.Add(handler);
        }

        return new Unregister(() =>
        {
            lock (_gate)
            {
                _connectedHandlers.Remove(handler);
            }
        });
    }

    /// <summary>
    /// Queues a message. The task completes when the broker acknowledged it (QoS 1), it was written (QoS 0),
    /// or it was superseded; it waits across disconnects for as long as it takes.
    /// </summary>
    /// <exception cref="OutgoingQueueFullException">Thrown at once when Mqtt:MaxQueuedMessages are waiting.</exception>
    /// <exception cref="PublishRejectedException">The task fails when the broker refuses the message for good.</exception>
    public Task<PublishOutcome> PublishAsync(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        return _outgoing.Enqueue(message);
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="topicFilter"/>, now if connected and again on
    /// every connection whose broker session lost it. Messages reach the handler one at a time, in order;
    /// each is acknowledged to the broker after the handler returns. Dispose the result to unsubscribe; that
    /// cancels the handler's token and waits for it, so handlers must honour the token.
    /// </summary>
    public async Task<IAsyncDisposable> SubscribeAsync(
        string topicFilter,
        Func<ReceivedMessage, CancellationToken, Task> handler,
        MQTTnet.Protocol.MqttQualityOfServiceLevel qualityOfService = MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topicFilter);
        ArgumentNullException.ThrowIfNull(handler);
        if (qualityOfService == MQTTnet.Protocol.MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new ArgumentOutOfRangeException(nameof(qualityOfService), "QoS 2 is not supported; use QoS 1");
        }

        var subscription = new Subscription(topicFilter, qualityOfService, handler, _logger);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
            ClaimUnclaimed(subscription);
        }

        var client = _client;
        if (client?.IsConnected == true)
        {
            try
            {
                await SubscribeMissingAsync(client, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The connection dropped meanwhile; the next connection subscribes it.
                LogSubscribeDeferred(_logger, topicFilter, ex.Message);
            }
        }

        return new SubscriptionHandle(this, subscription);
    }

    /// <summary>
    /// Stops: waits up to <paramref name="drainTimeout"/> for queued messages to reach the broker, then
    /// disconnects cleanly (so the broker does not publish the last will). Messages still queued are
    /// logged with their count.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout, CancellationToken cancellationToken = default)
    {
        if (_runTask is null || _stopping.IsCancellationRequested)
        {
            return;
        }

        if (IsConnected)
        {
            try
            {
                await _outgoing.WaitUntilEmptyAsync(cancellationToken).WaitAsync(drainTimeout, _timeProvider, cancellationToken);
            }
            catch (TimeoutException)
            {
                LogUndeliveredAtStop(_logger, _outgoing.Count, Endpoint);
            }
        }
        else if (_outgoing.Count > 0)
        {
            LogUndeliveredAtStop(_logger, _outgoing.Count, Endpoint);
        }

        await _stopping.CancelAsync();
        await _runTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        if (_runTask is not null)
        {
            await _runTask;
        }

        List<Subscription> subscriptions;
        lock (_gate)
        {
            subscriptions = [.. _subscriptions];
            _subscriptions.Clear();

            // Held messages stay unacknowledged: a kept session delivers them again on the next start.
            _unclaimed.Clear();
            _holdAtStartTimer?.Dispose();
        }

        foreach (var subscription in subscriptions)
        {
            await subscription.CloseAsync();
        }

        _subscribeLock.Dispose();
        _stopping.Dispose();
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    private sealed class SubscriptionHandle(MqttConnectionSupervisor owner, Subscription subscription) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => owner.UnsubscribeAsync(subscription);
    }
}
