using EdgeRuntime.Federated.Updates;

namespace EdgeRuntime.Federated.Device;

/// <summary>
/// The daemon's <c>Federated</c> section: whether accepted local revisions become signed updates in the durable outbox,
/// with which key, and how they are made (<see cref="ToUpdateOptions"/>). Validated at start (<see cref="Check"/>).
/// The trained tensors are the learner's (<c>Learning:Trainable</c>); the aggregator's <c>--trainable</c> must name the
/// same set, or it rejects the updates with a receipt that says so.
/// </summary>
public sealed class FederatedOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Federated";

    /// <summary>Send updates. Default false (a device learns for itself only).</summary>
    public bool Enabled { get; set; }

    /// <summary>This device's private key (PEM, from <c>edgectl keys create --out DIR/DEVICE-ID</c>); required when enabled.</summary>
    public string? DeviceKey { get; set; }

    /// <summary>See <see cref="UpdateOptions.ClipNorm"/>. Default 1.</summary>
    public double ClipNorm { get; set; } = 1.0;

    /// <summary>See <see cref="UpdateOptions.NoiseMultiplier"/>. Default 0 (no noise).</summary>
    public double NoiseMultiplier { get; set; }

    /// <summary>See <see cref="UpdateOptions.Delta"/>. Default 1e-5.</summary>
    public double Delta { get; set; } = 1e-5;

    /// <summary>Float32, Quantized8 or TopKQuantized8. Default Quantized8.</summary>
    public UpdateEncoding Encoding { get; set; } = UpdateEncoding.Quantized8;

    /// <summary>See <see cref="UpdateOptions.TopKFraction"/>. Default 0.1.</summary>
    public double TopKFraction { get; set; } = 0.1;

    /// <summary>See <see cref="UpdateOptions.ErrorFeedback"/>. Default true.</summary>
    public bool ErrorFeedback { get; set; } = true;

    /// <summary>Most entries the outbox holds before it refuses new ones (each refusal is reported). Default 10,000.</summary>
    public int MaxOutboxEntries { get; set; } = 10_000;

    /// <summary>Seconds to wait for an aggregator's receipt before sending an update again. Default 60.</summary>
    public double ReceiptTimeoutSeconds { get; set; } = 60;

    /// <summary>The update settings.</summary>
    public UpdateOptions ToUpdateOptions() => new()
    {
        ClipNorm = ClipNorm,
        NoiseMultiplier = NoiseMultiplier,
        Delta = Delta,
        Encoding = Encoding,
        TopKFraction = TopKFraction,
        ErrorFeedback = ErrorFeedback,
    };

    /// <summary>What is wrong (key and reason, one line), or null.</summary>
    public string? Check()
    {
        if (ToUpdateOptions().Check() is { } problem)
        {
            return problem;
        }

        if (MaxOutboxEntries is < 1 or > 10_000_000)
        {
            return $"Federated:MaxOutboxEntries: {MaxOutboxEntries} is out of range; allowed: 1-10000000";
        }

        if (!(ReceiptTimeoutSeconds > 0) || !double.IsFinite(ReceiptTimeoutSeconds))
        {
            return $"Federated:ReceiptTimeoutSeconds: {ReceiptTimeoutSeconds} must be positive";
        }

        if (!Enabled)
        {
            return null;
        }

        return string.IsNullOrWhiteSpace(DeviceKey) ? "Federated:DeviceKey: a device key file is required when Federated:Enabled is true"
            : !File.Exists(DeviceKey) ? $"Federated:DeviceKey: '{DeviceKey}' does not exist"
            : null;
    }
}
