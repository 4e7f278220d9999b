namespace EdgeRuntime.Core.Delivery;

/// <summary>One step of a plan, about one version.</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="Version">The version it acts on (0: the built-in one; for <see cref="StepKind.Prune"/>, the version being kept as serving).</param>
public sealed record DeliveryStep(StepKind Kind, long Version)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind} v{Version}";
}
