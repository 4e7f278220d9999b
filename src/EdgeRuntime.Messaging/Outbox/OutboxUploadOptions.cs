namespace EdgeRuntime.Messaging.Outbox;

/// <summary>How <see cref="OutboxUploader"/> sends (configuration section <c>Outbox</c> on the daemon).</summary>
public sealed class OutboxUploadOptions
{
    /// <summary>Entries sent and not yet released at most, per release rule (the oldest first): receipt-released entries and broker-acknowledged ones each have this many. Default 16.</summary>
    public int MaxInFlight { get; set; } = 16;

    /// <summary>Seconds to wait for a receipt before an entry is sent again (the receiver drops the duplicate). Default 60.</summary>
    public double ReceiptTimeoutSeconds { get; set; } = 60;

    /// <summary>Seconds to wait for the broker's acknowledgement of one publish before the pipeline retries it. Default 30.</summary>
    public double AcknowledgementTimeoutSeconds { get; set; } = 30;

    /// <summary>Retries of one publish (full outgoing queue, no acknowledgement in time) before it waits for the next round. Default 5.</summary>
    public int MaxPublishRetries { get; set; } = 5;

    /// <summary>What is wrong with the options, or null.</summary>
    public string? Check() =>
        MaxInFlight is < 1 or > 10_000 ? $"Outbox:MaxInFlight: {MaxInFlight} is outside 1..10000"
        : ReceiptTimeoutSeconds is < 0.01 or > 86_400 ? $"Outbox:ReceiptTimeoutSeconds: {ReceiptTimeoutSeconds} is outside 0.01..86400"
        : AcknowledgementTimeoutSeconds is < 0.01 or > 3600 ? $"Outbox:AcknowledgementTimeoutSeconds: {AcknowledgementTimeoutSeconds} is outside 0.01..3600"
        : MaxPublishRetries is < 0 or > 100 ? $"Outbox:MaxPublishRetries: {MaxPublishRetries} is outside 0..100"
        : null;
}
