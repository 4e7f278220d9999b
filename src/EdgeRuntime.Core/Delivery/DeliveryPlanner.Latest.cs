namespace EdgeRuntime.Core.Delivery;

public static partial class DeliveryPlanner
{
    /// <summary>The key under which a latest offer refused as stale is remembered: that manifest with that statement (a new statement is judged afresh).</summary>
    public static string StaleKey(SignedOffer offer, SignedLatest? latest)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return $"latest:{offer.EnvelopeId}:{latest?.EnvelopeId ?? "none"}";
    }

    /// <summary>
    /// Why the offer's signed targets leave this device out, or null when they include it. A manifest
    /// without targets was signed before targets existed: what its signer meant cannot be known, so it is not installed
    /// as a new version (stored versions that came with such manifests stay usable).
    /// </summary>
    private static Refusal? CheckTargets(DeliveryInput input, OfferedVersion offer)
    {
        if (offer.Targets is not { } targets)
        {
            return new Refusal(RefusalCode.NotTargeted, offer.Version, $"manifest refused: {input.Model} v{offer.Version} names no targets (signed before targets existed); publish it again");
        }

        return targets.Includes(input.Device)
            ? null
            : new Refusal(RefusalCode.NotTargeted, offer.Version, $"manifest refused: {input.Model} v{offer.Version} is signed for {targets}, not this device");
    }

    /// <summary>
    /// Why the manifest on the model's latest topic is not vouched for by the fleet's latest statement, or null when a
    /// fresh, trusted statement for this model names exactly that manifest (its version and its document's sha256).
    /// Freshness is judged at <see cref="DeliveryInput.ExpiryNow"/>: an old statement replayed with an old manifest (a
    /// freeze) is stale however the device clock reads, once a newer signed document has been seen.
    /// </summary>
    private static Refusal? CheckLatest(DeliveryInput input, OfferedVersion offer)
    {
        var label = $"{input.Model} v{offer.Version} on the latest topic is not installed";
        if (input.Desired.Latest is not { } latest)
        {
            return new Refusal(RefusalCode.Stale, offer.Version, $"{label}: no signed latest statement names it (the fleet signs one with every publish and re-signs it with 'edgectl model latest')");
        }

        if (latest.Verdict != SignatureVerdict.Accepted || latest.Statement is not { } statement)
        {
            return new Refusal(RefusalCode.Stale, offer.Version, $"{label}: the latest statement was refused: {latest.Problem ?? "it is not a latest statement"}");
        }

        if (statement.Name != input.Model)
        {
            return new Refusal(RefusalCode.Stale, offer.Version, $"{label}: the latest statement on its topic is about model '{statement.Name}'");
        }

        if (input.ExpiryNow > statement.ExpiresAt)
        {
            return new Refusal(RefusalCode.Stale, offer.Version, $"{label}: the latest statement (for v{statement.Version}) expired at {Iso(statement.ExpiresAt)}; the fleet has not re-signed it, or an old one is replayed");
        }

        return statement.Version == offer.Version && statement.ManifestSha256 == offer.DocumentSha256
            ? null
            : new Refusal(RefusalCode.Stale, offer.Version, $"{label}: the fresh latest statement names v{statement.Version} (manifest {Prefix(statement.ManifestSha256)}…), not this manifest ({Prefix(offer.DocumentSha256)}…)");
    }

    /// <summary>
    /// Whether the offer is newer than the version a fresh, trusted statement names: the fleet publishes the statement
    /// just before the manifest it names, but the two travel on different topics, so a device may see the new manifest
    /// first. It waits (reporting nothing) for the statement rather than calling the newer manifest stale; an older
    /// manifest than the statement names is reported.
    /// </summary>
    private static bool AwaitsItsStatement(DeliveryInput input, OfferedVersion offer) =>
        input.Desired.Latest is { Verdict: SignatureVerdict.Accepted, Statement: { } statement }
        && statement.Name == input.Model
        && input.ExpiryNow <= statement.ExpiresAt
        && statement.Version < offer.Version;

    private static string Prefix(string? sha) => sha is null ? "unknown" : sha[..Math.Min(12, sha.Length)];
}
