namespace EdgeRuntime.Core.Delivery;

/// <summary>An admitted command for one model, as the planner sees it.</summary>
/// <param name="Kind">What it asks.</param>
/// <param name="Version">The target version (deploy: required; rollback: null means the newest older one).</param>
/// <param name="VersionOffer">
/// For a deploy of a version the store does not hold: that version's own manifest as found retained on the broker
/// (<c>edge/models/{model}/{version}/manifest</c>), or null when none was found.
/// </param>
public sealed record ModelCommand(CommandKind Kind, long? Version, SignedOffer? VersionOffer = null);
