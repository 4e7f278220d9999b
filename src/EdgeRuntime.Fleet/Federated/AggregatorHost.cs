using System.Text.Json;
using System.Threading.Channels;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Protocol;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>
/// An <see cref="AggregatorCore"/> on MQTT: updates arrive through the shared subscription and wait in a channel; one
/// loop takes them in batches (one transaction each), sends the signed receipts, then lets the lead make and publish
/// versions (through <see cref="ModelPublisher"/>: chunks, signed manifest) or the member send its partial sums
/// through its durable outbox. A message is acknowledged to the broker when it is in the channel, before it is on disk:
/// durability is end to end — a device keeps an update until its receipt, which is sent only after the commit.
/// The caller owns the connection and the core.
/// </summary>
internal sealed partial class AggregatorHost : IAsyncDisposable
{
    private readonly AggregatorCore _core;
    private readonly MqttConnectionSupervisor _connection;
    private readonly MqttTopics _topics;
    private readonly SigningKey _key;
    private readonly TrustedKeys _fleetKeys;
    private readonly AggregatorHostOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<Incoming> _inbox = Channel.CreateUnbounded<Incoming>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private readonly SemaphoreSlim _work = new(1, 1);
    private SqliteOutbox? _outbox;
    private OutboxUploader? _uploader;
    private long _received;
    private long _queued;
    private int _busy;
    private string? _lastStatus;
    private DateTimeOffset? _latestSignedAt;

    /// <summary>Creates the host; nothing is subscribed before <see cref="StartAsync"/>.</summary>
    /// <param name="core">The aggregator.</param>
    /// <param name="connection">A started broker connection.</param>
    /// <param name="topics">The topic contract.</param>
    /// <param name="key">The fleet key: signs versions, receipts and partials.</param>
    /// <param name="fleetKeys">The fleet's public keys: checks manifests and partials of the other aggregators.</param>
    /// <param name="options">Subscription, batching, publishing.</param>
    /// <param name="timeProvider">The real clock (broker time, manifest validity, ticks).</param>
    /// <param name="logger">Log.</param>
    public AggregatorHost(AggregatorCore core, MqttConnectionSupervisor connection, MqttTopics topics, SigningKey key, TrustedKeys fleetKeys, AggregatorHostOptions options, TimeProvider timeProvider, ILogger? logger = null)
    {
        _core = core;
        _connection = connection;
        _topics = topics;
        _key = key;
        _fleetKeys = fleetKeys;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The core.</summary>
    public AggregatorCore Core => _core;

    /// <summary>Messages received on the update and partial topics.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Versions published (including a recovered one).</summary>
    public long VersionsPublished { get; private set; }

    /// <summary>Raised after a version is on the broker.</summary>
    public event Action<VersionRecord>? Published;

    /// <summary>
    /// Whether nothing waits: no message in the channel or being handled, no version unpublished, and (member) no
    /// partial sums unsent or unconfirmed.
    /// </summary>
    public bool IsIdle =>
        Interlocked.Read(ref _queued) == 0 && Volatile.Read(ref _busy) == 0 && _core.Unpublished().Count == 0 &&
        (_core.Role == AggregatorRole.Lead || (_outbox?.PendingCount ?? 0) == 0);

    /// <summary>Subscribes (updates; the lead partials, the member manifests and its receipts) and publishes what recovery left unpublished.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var updates = string.IsNullOrEmpty(_options.ShareGroup) ? _topics.FederatedUpdates(_core.Model) : _topics.SharedFederatedUpdates(_options.ShareGroup, _core.Model);
        _subscriptions.Add(await _connection.SubscribeAsync(updates, (message, _) => Enqueue(new Incoming(false, message.Payload)), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken));
        if (_core.Role == AggregatorRole.Lead)
        {
            _subscriptions.Add(await _connection.SubscribeAsync(_topics.FederatedPartials(_core.Model), (message, _) => Enqueue(new Incoming(true, message.Payload)), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken));
        }
        else
        {
            _subscriptions.Add(await _connection.SubscribeAsync(_topics.ModelManifest(_core.Model), (message, _) => OnManifest(message), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken));
            _outbox = new SqliteOutbox(_options.PartialOutboxPath ?? throw new InvalidOperationException("a member aggregator needs a partial outbox"), _timeProvider);
            _uploader = new OutboxUploader(_outbox, _connection, new OutboxTopics(_topics, _core.Settings.AggregatorId), _options.Upload, _timeProvider, NullLogger<OutboxUploader>.Instance);
            await _uploader.StartAsync(_topics.AggregatorReceipts(_core.Model, _core.Settings.AggregatorId), ReadPartialReceipts, cancellationToken);
        }
    }

    /// <summary>Handles messages and ticks until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ProcessAsync(cancellationToken);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(_options.Tick, _timeProvider, tick.Token);
                await Task.WhenAny(_inbox.Reader.WaitToReadAsync(cancellationToken).AsTask(), delay);
                await tick.CancelAsync();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Handles what is in the channel (in batches), then makes and publishes versions (lead) or sends partial sums
    /// (member), and publishes the status when it changed. Safe to call from several places; one runs at a time.
    /// </summary>
    public async Task ProcessAsync(CancellationToken cancellationToken)
    {
        await _work.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _busy);
        try
        {
            while (_inbox.Reader.TryPeek(out _))
            {
                var updates = new List<ReadOnlyMemory<byte>>();
                var partials = new List<ReadOnlyMemory<byte>>();
                while (updates.Count + partials.Count < _options.BatchSize && _inbox.Reader.TryRead(out var incoming))
                {
                    Interlocked.Decrement(ref _queued);
                    (incoming.Partial ? partials : updates).Add(incoming.Payload);
                }

                if (updates.Count > 0)
                {
                    var result = _core.Ingest(updates);
                    await SendReceiptsAsync(result.Receipts);
                }

                foreach (var partial in partials)
                {
                    var receipt = _core.IngestPartial(partial);
                    if (From(partial) is { } member)
                    {
                        await PublishReceiptAsync(_topics.AggregatorReceipts(_core.Model, member), [receipt]);
                    }
                }

                await AdvanceAsync(cancellationToken);
            }

            await AdvanceAsync(cancellationToken);
            await PublishStatusAsync(force: false);
        }
        finally
        {
            Interlocked.Decrement(ref _busy);
            _work.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        if (_uploader is not null)
        {
            await _uploader.DisposeAsync();
        }

        _outbox?.Dispose();
        _work.Dispose();
    }

    private Task Enqueue(Incoming incoming)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _queued);
        _inbox.Writer.TryWrite(incoming);
        return Task.CompletedTask;
    }

    // Lead: versions until the planner is content, then anything left unpublished. Member: a partial when due.
    private async Task AdvanceAsync(CancellationToken cancellationToken)
    {
        if (_core.Role == AggregatorRole.Lead)
        {
            while (_core.Aggregate() is not null)
            {
            }

            foreach (var version in _core.Unpublished())
            {
                await PublishVersionAsync(version, cancellationToken);
            }

            await ResignLatestIfDueAsync(cancellationToken);
            return;
        }

        while (_core.TakePartial() is { } partial)
        {
            var signed = partial.ToSignedPart();
            var bytes = SignedFrame.AppendSignature(signed, _key.Id, _key.Sign(signed));
            _outbox!.Add(new OutboxMessage(partial.Header.PartialId, OutboxChannel.AggregatePartial, _core.Model, bytes));
            _core.MarkForwarded(partial);
        }
    }

    /// <summary>
    /// The lead keeps the latest statement of the versions it published fresh, re-signing it every quarter of its
    /// lifetime, so devices that join between versions still install the latest global model.
    /// </summary>
    private async Task ResignLatestIfDueAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (_latestSignedAt is not { } signed || now - signed < LatestStatement.DefaultLifetime / 4)
        {
            // Nothing this host published yet (edgectl model latest keeps older versions' statements fresh), or not due.
            return;
        }

        _latestSignedAt = now;
        try
        {
            await new LatestStatementPublisher(_connection, _topics).ResignAsync(_core.Model, _key, LatestStatement.DefaultLifetime, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IncompletePublishException or PublishRejectedException or OutgoingQueueFullException)
        {
            // Nothing published yet, or the broker is away: tried again at the next quarter.
            LogLatestNotResigned(_logger, _core.Model, ex.Message);
        }
    }

    private async Task PublishVersionAsync(VersionRecord version, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var manifest = ManifestBuilder.Build(version.Path, _core.Model, version.Version, _options.ChunkSize, now, now + _options.ManifestLifetime);
        await new ModelPublisher(_connection, _topics).PublishAsync(version.Path, manifest, _key, announce: true, progress: null, cancellationToken);
        _latestSignedAt = now;
        _core.MarkPublished(version.Version);
        VersionsPublished++;
        LogPublished(_logger, _core.Model, version.Version, version.Updates, manifest.Sha256);
        Published?.Invoke(version);
        await PublishStatusAsync(force: true);
    }

    private async Task SendReceiptsAsync(IReadOnlyList<DeviceReceipt> receipts)
    {
        foreach (var group in receipts.GroupBy(r => r.DeviceId, StringComparer.Ordinal))
        {
            if (IsTopicLevel(group.Key))
            {
                await PublishReceiptAsync(_topics.DeviceReceipts(group.Key), [.. group.Select(r => r.Receipt)]);
            }
        }
    }

    private async Task PublishReceiptAsync(string topic, IReadOnlyList<ReceiptEntry> receipts)
    {
        var document = new ReceiptDocument { From = _core.Settings.AggregatorId, Receipts = receipts };
        try
        {
            // Not awaited to the broker's acknowledgement: a lost receipt costs a resend, which the ledger answers again.
            _ = _connection.PublishAsync(new OutgoingMessage(topic, SignedReceipts.Sign(document, _key)) { ContentType = "application/json" });
        }
        catch (OutgoingQueueFullException ex)
        {
            LogReceiptDropped(_logger, topic, ex.Message);
        }

        await Task.CompletedTask;
    }

    private async Task PublishStatusAsync(bool force)
    {
        var accounts = _core.Accounts();
        var document = new AggregatorStatusDocument
        {
            Aggregator = _core.Settings.AggregatorId,
            Role = _core.Role == AggregatorRole.Lead ? "lead" : "member",
            Model = _core.Model,
            Version = _core.Version,
            Buffered = _core.Buffered,
            Received = Received,
            Undecodable = _core.Undecodable,
            Devices = accounts.ToDictionary(a => a.Key, a => new DeviceAccountDocument(a.Value.Applied, a.Value.Expired, a.Value.Rejected, a.Value.Buffered, a.Value.Forwarded, a.Value.Duplicate), StringComparer.Ordinal),
        };
        var json = JsonSerializer.Serialize(document, AggregatorStatusJsonContext.Default.AggregatorStatusDocument);
        if (!force && json == _lastStatus)
        {
            return;
        }

        _lastStatus = json;
        try
        {
            _ = _connection.PublishAsync(new OutgoingMessage(_topics.AggregatorStatus(_core.Model, _core.Settings.AggregatorId), System.Text.Encoding.UTF8.GetBytes(json), retain: true) { ContentType = "application/json", ReplacesQueued = true });
        }
        catch (OutgoingQueueFullException ex)
        {
            LogReceiptDropped(_logger, "status", ex.Message);
        }

        await Task.CompletedTask;
    }

    private Task OnManifest(ReceivedMessage message)
    {
        if (message.Payload.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var check = SignedEnvelope.Open(message.Payload.Span, _fleetKeys);
        if (check.IsAccepted && ModelManifestJson.Parse(check.Document.Span, out _) is { } manifest && manifest.Name == _core.Model)
        {
            _core.ObserveVersion(manifest.Version);
        }

        return Task.CompletedTask;
    }

    private IReadOnlyList<OutboxReceipt>? ReadPartialReceipts(ReceivedMessage message, out string? problem)
    {
        var receipts = SignedReceipts.Open(message.Payload.Span, _fleetKeys, out problem);
        if (receipts is null)
        {
            return null;
        }

        foreach (var receipt in receipts)
        {
            _core.OnPartialReceipt(receipt);
        }

        return [.. receipts.Select(r => new OutboxReceipt(r.Id, r.Outcome, r.Reason))];
    }

    private static string? From(ReadOnlyMemory<byte> partial)
    {
        try
        {
            var from = PartialAggregate.Read(SignedFrame.Split(partial, PartialAggregate.Magic, "partial aggregate")).Header.From;
            return IsTopicLevel(from) ? from : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static bool IsTopicLevel(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    [LoggerMessage(Level = LogLevel.Information, Message = "Latest statement of {Model} not re-signed: {Reason}")]
    private static partial void LogLatestNotResigned(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Model} v{Version} ({Updates} updates), sha256 {Sha256}")]
    private static partial void LogPublished(ILogger logger, string model, long version, int updates, string sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt on {Topic} not queued: {Reason}; the device will resend")]
    private static partial void LogReceiptDropped(ILogger logger, string topic, string reason);

    private readonly record struct Incoming(bool Partial, ReadOnlyMemory<byte> Payload);
}
