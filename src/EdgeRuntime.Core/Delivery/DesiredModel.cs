namespace EdgeRuntime.Core.Delivery;

/// <summary>What the fleet asks of one model.</summary>
/// <param name="Offer">The latest manifest on the model's topic; null when there is none (or it was withdrawn).</param>
/// <param name="Command">A command being carried out now, if any; commands come before offers.</param>
/// <param name="RestoreOffer">
/// The retained manifest of the recorded serving version, when that version is damaged or missing in the store and the
/// device looked for it on the broker to fetch it again; null otherwise.
/// </param>
/// <param name="Latest">The fleet's signed latest statement for the model; null when none arrived. The latest offer is followed only while a fresh one names it.</param>
public sealed record DesiredModel(SignedOffer? Offer = null, ModelCommand? Command = null, SignedOffer? RestoreOffer = null, SignedLatest? Latest = null);
