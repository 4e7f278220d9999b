using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Pipelines.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// While anything uses the durable outbox — federated learning, or a pipeline with durable results — uploads it through
/// <see cref="OutboxUploader"/>. With federated learning on it also releases updates on the aggregators' receipts, which
/// must be signed by a key in <c>Delivery:TrustedKeys</c> (the fleet key); results are released by the broker's
/// acknowledgement.
/// </summary>
internal sealed class OutboxUploadService(IOptions<FederatedOptions> federated, IOptions<PipelineSetOptions> pipelines, IServiceProvider services) : BackgroundService
{
    private OutboxUploader? _uploader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OutboxServices.InUse(federated.Value, pipelines.Value))
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
            new OutboxUploadOptions { ReceiptTimeoutSeconds = federated.Value.ReceiptTimeoutSeconds },
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<OutboxUploader>>());
        await _uploader.StartAsync(federated.Value.Enabled ? topics.DeviceReceipts(deviceId) : null, ReadReceipts, stoppingToken);

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
