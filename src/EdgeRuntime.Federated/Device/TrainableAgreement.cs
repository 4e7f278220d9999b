namespace EdgeRuntime.Federated.Device;

/// <summary>
/// Whether the tensors a device trains (<c>Learning:Trainable</c>, resolved on the model) are the ones the fleet's
/// aggregator folds (its <c>--trainable</c>, which every global version lists under
/// <see cref="Aggregation.GlobalModel.TrainableMetadataKey"/>). An update over another set would only come back
/// rejected, so the device says so before it sends one. Both sides lay the tensors out in the model's order, so only the
/// set matters. Pure.
/// </summary>
public static class TrainableAgreement
{
    /// <summary>The code that opens the refusal line.</summary>
    public const string MismatchCode = "trainable-mismatch";

    /// <summary>Null when the sets agree (or the version lists none: no aggregator wrote it), else one line opening with <see cref="MismatchCode"/>.</summary>
    /// <param name="device">The tensors the device trained.</param>
    /// <param name="fleet">The tensors the base version lists; null when it lists none.</param>
    /// <param name="model">The model name (for the message).</param>
    /// <param name="version">The base version (for the message).</param>
    public static string? Check(IReadOnlyList<string> device, IReadOnlyList<string>? fleet, string model, long version)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (fleet is null || device.ToHashSet(StringComparer.Ordinal).SetEquals(fleet))
        {
            return null;
        }

        return $"{MismatchCode}: Learning:Trainable selects [{string.Join(", ", device)}] but the aggregator of {model} folds [{string.Join(", ", fleet)}] (v{version}'s {Aggregation.GlobalModel.TrainableMetadataKey}); set Learning:Trainable to {string.Join(",", fleet)} or the aggregator's --trainable to match";
    }
}
