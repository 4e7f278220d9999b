using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Polly;

namespace EdgeRuntime.Messaging.Outbox;

/// <summary>
/// Sends a <see cref="SqliteOutbox"/>'s entries in the order they were added, at QoS 1 through the
/// <c>outbox-upload</c> pipeline, at most <see cref="OutboxUploadOptions.MaxInFlight"/> unreleased at a time, and
/// releases them: entries released by the broker's acknowledgement when it comes, entries released by a receipt when the
/// receiver's receipt arrives on the receipt topic. An entry whose receipt does not come within
/// <see cref="OutboxUploadOptions.ReceiptTimeoutSeconds"/> — or whose connection's broker session was lost — is sent
/// again; receivers drop duplicates by id. Nothing is deleted on a PUBACK alone unless the entry asked for that.
/// The caller owns it and disposes it (which stops the loop; entries stay on disk).
/// </summary>
public sealed partial class OutboxUploader : IAsyncDisposable
{
    private readonly SqliteOutbox _outbox;
    private readonly MqttConnectionSupervisor _connection;
    private readonly OutboxTopics _topics;
    private readonly OutboxUploadOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IAsyncDisposable? _receiptSubscription;
    private IDisposable? _onConnected;
    private Task? _loop;
    private long _sends;
    private long _resends;
    private long _receipts;
    private long _badReceipts;

    /// <summary>Creates the uploader; nothing is sent before <see cref="StartAsync"/>.</summary>
    public OutboxUploader(SqliteOutbox outbox, MqttConnectionSupervisor connection, OutboxTopics topics, OutboxUploadOptions options, TimeProvider timeProvider, ILogger<OutboxUploader> logger)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Check() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _outbox = outbox;
        _connection = connection;
        _topics = topics;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _pipeline = OutboxUploadPipeline.Create(options, timeProvider, logger);
        _outbox.Added += Wake;
    }

    /// <summary>Publishes made (resends included).</summary>
    public long Sends => Interlocked.Read(ref _sends);

    /// <summary>Publishes of an entry sent before whose receipt did not come in time.</summary>
    public long Resends => Interlocked.Read(ref _resends);

    /// <summary>Receipts read (each may release an entry, or repeat one already released).</summary>
    public long ReceiptsReceived => Interlocked.Read(ref _receipts);

    /// <summary>Messages on the receipt topic that were not valid receipts (unsigned, forged, malformed).</summary>
    public long BadReceipts => Interlocked.Read(ref _badReceipts);

    /// <summary>
    /// Subscribes to <paramref name="receiptTopic"/> (receipts reach the uploader only through
    /// <paramref name="readReceipts"/>, which checks their signature and returns null and a reason for a bad one) and
    /// starts sending. Call once.
    /// </summary>
    public async Task StartAsync(string? receiptTopic, ReceiptReader readReceipts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(readReceipts);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The uploader has already been started.");
        }

        if (receiptTopic is not null)
        {
            _receiptSubscription = await _connection.SubscribeAsync(receiptTopic, (message, _) => OnReceiptMessage(message, readReceipts), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
        }

        _onConnected = _connection.OnConnected((established, _) =>
        {
            if (!established.SessionPresent)
            {
                // The broker forgot everything it held for us, receipts on their way included: send again what waits for one.
                lock (_gate)
                {
                    foreach (var entry in _inFlight.Values.Where(e => e.Release == OutboxRelease.OnReceipt && !e.Publishing))
                    {
                        entry.SentAt = null;
                    }
                }
            }

            Wake();
            return Task.CompletedTask;
        });
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Releases entries named by receipts that came another way (a receiver in the same process).</summary>
    public int Release(IReadOnlyCollection<OutboxReceipt> receipts)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        var released = _outbox.Release(receipts);
        lock (_gate)
        {
            foreach (var receipt in receipts)
            {
                _inFlight.Remove(receipt.Id);
            }
        }

        Wake();
        return released;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _outbox.Added -= Wake;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _onConnected?.Dispose();
        if (_receiptSubscription is not null)
        {
            await _receiptSubscription.DisposeAsync();
        }

        _stop.Dispose();
    }

    private void Wake()
    {
        lock (_gate)
        {
            _wake.TrySetResult();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var receiptTimeout = TimeSpan.FromSeconds(_options.ReceiptTimeoutSeconds);
        var poll = TimeSpan.FromSeconds(Math.Min(1, _options.ReceiptTimeoutSeconds / 4));
        while (!cancellationToken.IsCancellationRequested)
        {
            Task wake;
            lock (_gate)
            {
                if (_wake.Task.IsCompleted)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                wake = _wake.Task;
            }

            try
            {
                await _connection.WaitUntilConnectedAsync(cancellationToken);
                SendDue(receiptTimeout, cancellationToken);
                await Task.WhenAny(wake, Task.Delay(poll, _timeProvider, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                LogStoreFailed(_logger, _outbox.Path, ex.Message);
                await Task.Delay(poll, _timeProvider, cancellationToken);
            }
        }
    }

    private void SendDue(TimeSpan receiptTimeout, CancellationToken cancellationToken)
    {
        var window = _outbox.Window(_options.MaxInFlight);
        var now = _timeProvider.GetTimestamp();
        foreach (var (sequence, id, release) in window)
        {
            InFlight state;
            bool resend;
            lock (_gate)
            {
                if (!_inFlight.TryGetValue(id, out state!))
                {
                    state = new InFlight(release);
                    _inFlight[id] = state;
                }

                if (state.Publishing || (state.SentAt is { } sentAt && _timeProvider.GetElapsedTime(sentAt, now) < receiptTimeout))
                {
                    continue;
                }

                resend = state.Sends > 0;
                state.Publishing = true;
                state.Sends++;
            }

            if (resend)
            {
                Interlocked.Increment(ref _resends);
            }

            _ = PublishAsync(sequence, state, cancellationToken);
        }

        // Forget entries released meanwhile (their ids are no longer in the window).
        lock (_gate)
        {
            if (_inFlight.Count > window.Count)
            {
                var held = window.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var id in _inFlight.Keys.Where(id => !held.Contains(id)).ToList())
                {
                    _inFlight.Remove(id);
                }
            }
        }
    }

    private async Task PublishAsync(long sequence, InFlight state, CancellationToken cancellationToken)
    {
        OutboxEntry? entry;
        try
        {
            entry = _outbox.Read(sequence);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            LogStoreFailed(_logger, _outbox.Path, ex.Message);
            entry = null;
        }

        if (entry is null)
        {
            // Released between the window and now.
            lock (_gate)
            {
                state.Publishing = false;
            }

            return;
        }

        var topic = _topics.Of(entry.Channel, entry.Name);
        var message = new OutgoingMessage(topic, entry.Payload, MqttQualityOfServiceLevel.AtLeastOnce) { ContentType = OutboxTopics.ContentType(entry.Channel) };
        var acknowledged = false;
        try
        {
            Interlocked.Increment(ref _sends);
            _outbox.CountSend();
            await _pipeline.ExecuteAsync(async token => await _connection.PublishAsync(message).WaitAsync(token), cancellationToken);
            acknowledged = true;
            if (entry.Release == OutboxRelease.OnBrokerAcknowledgement)
            {
                _outbox.Release([new OutboxReceipt(entry.Id, OutboxOutcome.Delivered)]);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is PublishRejectedException or OutgoingQueueFullException or Polly.Timeout.TimeoutRejectedException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
        {
            LogPublishFailed(_logger, entry.Id, topic, ex.Message);
        }
        finally
        {
            lock (_gate)
            {
                state.Publishing = false;

                // Sent: wait for the receipt from now. Not sent: due again after the receipt timeout, not at once,
                // so a broker that refuses the entry is not hammered.
                state.SentAt = _timeProvider.GetTimestamp();
                if (acknowledged && entry.Release == OutboxRelease.OnBrokerAcknowledgement)
                {
                    _inFlight.Remove(entry.Id);
                }
            }

            Wake();
        }
    }

    private Task OnReceiptMessage(ReceivedMessage message, ReceiptReader readReceipts)
    {
        var receipts = readReceipts(message, out var problem);
        if (receipts is null)
        {
            Interlocked.Increment(ref _badReceipts);
            LogBadReceipt(_logger, message.Topic, problem ?? "unreadable");
            return Task.CompletedTask;
        }

        Interlocked.Add(ref _receipts, receipts.Count);
        Release(receipts);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox entry {Id} was not published on {Topic}: {Reason}; it stays queued")]
    private static partial void LogPublishFailed(ILogger logger, string id, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a message on the receipt topic {Topic}: {Reason}")]
    private static partial void LogBadReceipt(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The outbox {Path} could not be read: {Reason}")]
    private static partial void LogStoreFailed(ILogger logger, string path, string reason);

    private sealed class InFlight(OutboxRelease release)
    {
        public OutboxRelease Release { get; } = release;

        public bool Publishing { get; set; }

        public long? SentAt { get; set; }

        public int Sends { get; set; }
    }
}

/// <summary>Reads the receipts in a message on the receipt topic (checking its signature); null and a reason for a bad one.</summary>
public delegate IReadOnlyList<OutboxReceipt>? ReceiptReader(ReceivedMessage message, out string? problem);
