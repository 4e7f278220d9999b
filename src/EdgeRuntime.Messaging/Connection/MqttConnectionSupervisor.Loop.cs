using EdgeRuntime.Messaging.Identity;
using MQTTnet;

namespace EdgeRuntime.Messaging.Connection;

public sealed partial class MqttConnectionSupervisor
{
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(5);

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            LiveConnection connection;
            try
            {
                connection = await _reconnectPipeline.ExecuteAsync(ConnectOnceAsync, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await RunConnectionAsync(connection, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            finally
            {
                await CloseConnectionAsync(connection, clean: stopping.IsCancellationRequested);
            }
        }
    }

    private async ValueTask<LiveConnection> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        // After a takeover in a conflict the first attempt is no attempt: the pipeline waits the back-off, then connects.
        ClientIdConflictException? conflict = null;
        lock (_gate)
        {
            if (_pendingBackOff is { } backOff)
            {
                _pendingBackOff = null;
                conflict = new ClientIdConflictException(ClientId, _takeovers.Total, backOff);
            }
        }

        if (conflict is not null)
        {
            _lastConnectError = conflict.Message;
            throw conflict;
        }

        var client = _clientFactory.CreateMqttClient();
        var lost = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var number = Interlocked.Read(ref _connectionNumber) + 1;
        client.DisconnectedAsync += args =>
        {
            if (args.ClientWasConnected)
            {
                lost.TrySetResult(args);
            }

            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += args => OnMessageReceived(args, number);

        try
        {
            var result = await client.ConnectAsync(_clientOptions, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new MqttConnectionRefusedException(Endpoint, result.ResultCode, result.ReasonString);
            }

            _lastConnectError = null;
            return new LiveConnection(client, number, result, lost.Task);
        }
        catch (Exception ex)
        {
            _lastConnectError = (ex.InnerException ?? ex).Message;
            client.Dispose();
            throw;
        }
    }

    private async Task RunConnectionAsync(LiveConnection connection, CancellationToken stopping)
    {
        using var connectionScope = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var result = connection.Result;
        var receiveMaximum = result.ReceiveMaximum is > 0 ? result.ReceiveMaximum.Value : ushort.MaxValue;
        Interlocked.Exchange(ref _connectionNumber, connection.Number);

        lock (_gate)
        {
            // The start lasts from the first connection (a device may boot long before its network is up); without held
            // topics nothing is ever held, so there is no start to end.
            if (_heldAtStart.Count > 0)
            {
                _holdAtStartTimer ??= _timeProvider.CreateTimer(_ => EndHoldAtStart(), null, HoldAtStart, Timeout.InfiniteTimeSpan);
            }
        }

        if (result.IsSessionPresent)
        {
            ForgetHeldFromEarlierConnections(connection.Number);
        }
        else
        {
            if (connection.Number > 1)
            {
                Interlocked.Increment(ref _sessionsLost);
            }

            lock (_gate)
            {
                foreach (var subscription in _subscriptions)
                {
                    subscription.ActiveOnBroker = false;
                }
            }
        }

        _client = connection.Client;
        LogConnected(_logger, Endpoint, connection.Number, result.IsSessionPresent, receiveMaximum, _outgoing.Count);

        var pump = Task.Run(() => PumpAsync(connection.Client, receiveMaximum, connectionScope.Token), CancellationToken.None);
        _ = SettleTakeoversAsync(_timeProvider.GetUtcNow(), connectionScope.Token);
        try
        {
            await SubscribeMissingAsync(connection.Client, connectionScope.Token);
            lock (_gate)
            {
                _connected.TrySetResult();
            }

            // Handlers run beside the connection, never in its way: one may wait for something (a PUBACK)
            // that only a later connection brings, and this loop must stay free to notice the loss.
            _ = NotifyConnectedAsync(new MqttConnectionEstablished(connection.Number, result.IsSessionPresent, receiveMaximum), connectionScope.Token);

            var disconnect = await connection.Lost.WaitAsync(stopping);
            LogDisconnected(_logger, Endpoint, disconnect.Reason.ToString(), disconnect.Exception?.Message ?? disconnect.ReasonString ?? "closed");
            OnConnectionLost(takenOver: disconnect.Reason == MqttClientDisconnectReason.SessionTakenOver);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Subscribing failed because the link dropped under us; reconnect.
            LogDisconnected(_logger, Endpoint, "SetupFailed", ex.Message);
        }
        finally
        {
            lock (_gate)
            {
                if (_connected.Task.IsCompleted)
                {
                    _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            _outgoing.Detach();
            await connectionScope.CancelAsync();
            await pump;
        }
    }

    /// <summary>
    /// A connection the broker ended: a takeover counts at once; any loss during a conflict makes the next connect wait,
    /// since a broker that does not say "taken over" (Mosquitto 2.0.11 closes the old connection without a reason) looks
    /// the same as one that does until the other process's status is seen (<see cref="ReportOtherProcess"/>).
    /// </summary>
    private void OnConnectionLost(bool takenOver)
    {
        TakeoverHistory before, after;
        lock (_gate)
        {
            before = _takeovers;
            after = TakeoverRules.Lost(takenOver ? TakeoverRules.Record(before, _timeProvider.GetUtcNow(), _conflictOptions) : before);
            _takeovers = after;
            _lossCounted = takenOver;
            _pendingBackOff = TakeoverRules.BackOff(after, _conflictOptions) is { } wait && wait > TimeSpan.Zero ? wait : null;
        }

        if (takenOver)
        {
            TakeoversFound(before, after);
        }
    }

    private void TakeoversFound(TakeoverHistory before, TakeoverHistory after)
    {
        if (after.InConflict && !before.InConflict)
        {
            LogConflict(_logger, ClientId, Endpoint, after.Recent.Length, _conflictOptions.WindowSeconds, Core.Devices.ClientIdConflict.Code);
        }

        TakeoversChanged?.Invoke();
    }

    /// <summary>Once this connection has lasted a whole window, the takeovers before it are over (and with them any conflict).</summary>
    private async Task SettleTakeoversAsync(DateTimeOffset connectedAt, CancellationToken connectionToken)
    {
        if (Takeovers.Recent.IsEmpty)
        {
            return;
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(_conflictOptions.WindowSeconds), _timeProvider, connectionToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        bool ended;
        lock (_gate)
        {
            var before = _takeovers;
            _takeovers = TakeoverRules.Settle(before, connectedAt, _timeProvider.GetUtcNow(), _conflictOptions);
            ended = before.InConflict && !_takeovers.InConflict;
        }

        if (ended)
        {
            LogConflictOver(_logger, ClientId, _conflictOptions.WindowSeconds);
            TakeoversChanged?.Invoke();
        }
    }

    private async Task CloseConnectionAsync(LiveConnection connection, bool clean)
    {
        _client = null;
        if (clean && connection.Client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(DisconnectTimeout, _timeProvider);
                var options = new MqttClientDisconnectOptionsBuilder()
                    .WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection)
                    .Build();
                await connection.Client.DisconnectAsync(options, timeout.Token);
                LogDisconnectedCleanly(_logger, Endpoint);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDisconnected(_logger, Endpoint, "CleanDisconnectFailed", ex.Message);
            }
        }

        connection.Client.Dispose();
    }

    private async Task NotifyConnectedAsync(MqttConnectionEstablished established, CancellationToken cancellationToken)
    {
        Func<MqttConnectionEstablished, CancellationToken, Task>[] handlers;
        lock (_gate)
        {
            handlers = [.. _connectedHandlers];
        }

        foreach (var handler in handlers)
        {
            try
            {
                await handler(established, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The connection ended while the handler ran.
            }
            catch (Exception ex)
            {
                LogConnectedHandlerFailed(_logger, ex);
            }
        }
    }

    private sealed record LiveConnection(IMqttClient Client, long Number, MqttClientConnectResult Result, Task<MqttClientDisconnectedEventArgs> Lost);
}
