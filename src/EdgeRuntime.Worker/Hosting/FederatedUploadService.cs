using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// While federated learning is enabled, uploads the durable outbox through <see cref="OutboxUploader"/> and releases
/// entries on the aggregators' receipts, which must be signed by a key in <c>Delivery:TrustedKeys</c> (the fleet key).
/// </summary>
internal sealed class FederatedUploadService(IOptions<FederatedOptions> options, IServiceProvider services) : BackgroundService
{
    private OutboxUploader? _uploader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var deviceId = services.GetRequiredService<DeviceIdentity>().DeviceId;
        var topics = services.GetRequiredService<MqttTopics>();
        var fleetKeys = services.GetRequiredService<TrustedKeys>();
        _uploader = new OutboxUploader(
            services.GetRequiredService<SqliteOutbox>(),
            services.GetRequiredService<MqttConnectionSupervisor>(),
            new OutboxTopics(topics, deviceId),
            new OutboxUploadOptions { ReceiptTimeoutSeconds = options.Value.ReceiptTimeoutSeconds },
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<OutboxUploader>>());
        await _uploader.StartAsync(topics.DeviceReceipts(deviceId), ReadReceipts, stoppingToken);

        IReadOnlyList<OutboxReceipt>? ReadReceipts(ReceivedMessage message, out string? problem) =>
            SignedReceipts.Open(message.Payload.Span, fleetKeys, out problem) is { } receipts ? [.. receipts.Select(r => new OutboxReceipt(r.Id, r.Outcome, r.Reason))] : null;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_uploader is not null)
        {
            await _uploader.DisposeAsync();
        }
    }
}
