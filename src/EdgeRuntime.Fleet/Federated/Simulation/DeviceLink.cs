using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>
/// A simulated device's side of the network, the daemon's parts: its durable outbox (a SQLite file of its own), and —
/// while online — an MQTT connection with a kept session and the outbox uploader, which releases updates only on the
/// aggregator's signed receipts. Going offline closes the connection; the outbox keeps what was produced meanwhile.
/// </summary>
internal sealed class DeviceLink(string deviceId, string outboxPath, BrokerEndpoint broker, MqttTopics topics, TrustedKeys fleetKeys, OutboxUploadOptions upload) : IAsyncDisposable
{
    private MqttConnectionSupervisor? _connection;
    private OutboxUploader? _uploader;

    /// <summary>The device's outbox.</summary>
    public SqliteOutbox Outbox { get; } = new(outboxPath, TimeProvider.System);

    /// <summary>Whether it is connected (or connecting).</summary>
    public bool Online => _connection is not null;

    /// <summary>Bad receipts seen (forged or unsigned).</summary>
    public long BadReceipts => _uploader?.BadReceipts ?? 0;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return;
        }

        var options = new MqttOptions { Server = broker.ToString(), CleanStart = false, SessionExpirySeconds = 86_400, Reconnect = { InitialDelayMilliseconds = 100, MaxDelayMilliseconds = 2_000 } };
        var connection = BrokerArguments.CreateSupervisor(options, broker, TimeProvider.System, $"sim-device-{deviceId}");
        connection.Start();
        var uploader = new OutboxUploader(Outbox, connection, new OutboxTopics(topics, deviceId), upload, TimeProvider.System, NullLogger<OutboxUploader>.Instance);
        await connection.WaitUntilConnectedAsync(cancellationToken);
        await uploader.StartAsync(topics.DeviceReceipts(deviceId), ReadReceipts, cancellationToken);
        _connection = connection;
        _uploader = uploader;
    }

    public async Task DisconnectAsync()
    {
        if (_uploader is not null)
        {
            await _uploader.DisposeAsync();
            _uploader = null;
        }

        if (_connection is not null)
        {
            await _connection.StopAsync(TimeSpan.FromSeconds(1));
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        Outbox.Dispose();
    }

    private IReadOnlyList<OutboxReceipt>? ReadReceipts(ReceivedMessage message, out string? problem) =>
        SignedReceipts.Open(message.Payload.Span, fleetKeys, out problem) is { } receipts ? [.. receipts.Select(r => new OutboxReceipt(r.Id, r.Outcome, r.Reason))] : null;
}
