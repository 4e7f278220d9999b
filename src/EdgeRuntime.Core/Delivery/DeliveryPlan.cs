namespace EdgeRuntime.Core.Delivery;

/// <summary>A plan of steps toward one version, in the order they run.</summary>
/// <param name="Purpose">Why.</param>
/// <param name="Version">The version it ends with serving (or cleans up for).</param>
/// <param name="Steps">The steps, in order; on a failure the ones done are undone in reverse.</param>
/// <param name="Offer">The signed offer the plan installs from, when it fetches.</param>
/// <param name="HoldThrough">
/// For a command that moves the device: once it serves, manifests up to this version are no longer followed (so the
/// retained latest manifest does not undo a rollback); null leaves what is held as it is.
/// </param>
/// <param name="Key">Under what a failure of the plan is remembered (as for <see cref="Refuse.Key"/>); null: not remembered.</param>
public sealed record DeliveryPlan(PlanPurpose Purpose, long Version, IReadOnlyList<DeliveryStep> Steps, SignedOffer? Offer = null, long? HoldThrough = null, string? Key = null)
{
    /// <summary>Whether the plan fetches (and so may be preempted by a newer offer or a command while it does).</summary>
    public bool Fetches => Steps.Any(s => s.Kind == StepKind.Fetch);

    /// <inheritdoc />
    public override string ToString() => $"{Purpose} v{Version}: {string.Join(" → ", Steps)}";
}
