using EdgeRuntime.Federated.Updates;

namespace EdgeRuntime.Federated.Device;

/// <summary>
/// How a device turns a training result into an update (configuration section <c>Federated</c> on the daemon).
/// </summary>
public sealed record UpdateOptions
{
    /// <summary>
    /// The L2 bound every delta is clipped to (always on: it bounds one device's influence, and is the sensitivity
    /// of the Gaussian mechanism). In the model's parameter units. Default 1.
    /// </summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>σ / <see cref="ClipNorm"/> of the Gaussian noise added to each clipped delta; 0 = no noise (no ε). Default 0.</summary>
    public double NoiseMultiplier { get; init; }

    /// <summary>δ of the (ε, δ) the status reports. Default 1e-5.</summary>
    public double Delta { get; init; } = 1e-5;

    /// <summary>How deltas are carried. Default 8-bit blocks.</summary>
    public UpdateEncoding Encoding { get; init; } = UpdateEncoding.Quantized8;

    /// <summary>For top-k: the share of each tensor's values sent. Default 0.1.</summary>
    public double TopKFraction { get; init; } = 0.1;

    /// <summary>Keep what compression dropped and add it to the next update (Seide et al. 2014; Karimireddy et al. 2019). Default true.</summary>
    public bool ErrorFeedback { get; init; } = true;

    /// <summary>What is wrong with the options (the key and allowed values), or null.</summary>
    public string? Check() =>
        !(ClipNorm > 0) || !double.IsFinite(ClipNorm) ? $"Federated:ClipNorm: {ClipNorm} must be positive"
        : NoiseMultiplier is < 0 or > 1000 || !double.IsFinite(NoiseMultiplier) ? $"Federated:NoiseMultiplier: {NoiseMultiplier} is outside 0..1000"
        : !(Delta > 0 && Delta < 1) ? $"Federated:Delta: {Delta} is outside (0, 1)"
        : !(TopKFraction > 0 && TopKFraction <= 1) ? $"Federated:TopKFraction: {TopKFraction} is outside (0, 1]"
        : null;
}
