namespace EdgeRuntime.Core.Delivery;

public static partial class DeliveryPlanner
{
    /// <summary>
    /// Keeps the recorded version serving: restore it when it is intact and not serving; when it is damaged or gone,
    /// serve a fallback first (the newest intact stored version, else the built-in v0) and fetch it again through its
    /// retained manifest — unless a newer offer will replace it anyway. Null when there is nothing to restore.
    /// </summary>
    private static DeliveryDecision? PlanRestore(DeliveryInput input)
    {
        var current = input.Current;
        var intended = current.RecordedServing is 0 && !current.HasBuiltIn ? null : current.RecordedServing ?? (current.HasBuiltIn ? 0 : null);
        if (intended is not { } version)
        {
            return null;
        }

        var key = RestoreKey(version);
        if (version == 0)
        {
            if (current.Serving == 0)
            {
                return null;
            }

            return Waiting(input, key) is { } wait0
                ? (current.Serving is null && Fallback(input, 0) is { } other0 ? FallbackPlan(other0) : wait0)
                : new RunPlan(new DeliveryPlan(PlanPurpose.Restore, 0, [new(StepKind.Activate, 0)], Key: key));
        }

        var stored = current.StoredAt(version);
        if (stored is { Usable: true })
        {
            if (current.Serving == version)
            {
                return null;
            }

            if (Waiting(input, key) is { } wait)
            {
                return current.Serving is null && Fallback(input, version) is { } fallback ? FallbackPlan(fallback) : wait;
            }

            return new RunPlan(new DeliveryPlan(PlanPurpose.Restore, version, [new(StepKind.CheckStored, version), new(StepKind.Activate, version)], Key: key));
        }

        // Damaged or missing: serve something meanwhile, then fetch the recorded version again.
        if (current.Serving is null && Fallback(input, version) is { } other)
        {
            return FallbackPlan(other);
        }

        if (Followable(input))
        {
            // A newer version replaces the damaged one anyway; a repair that may stall must not hold it up.
            return null;
        }

        if (Waiting(input, key) is { } waiting)
        {
            return waiting;
        }

        var prefix = stored is { Health: StoredHealth.Damaged } ? [new DeliveryStep(StepKind.DiscardStored, version)] : Array.Empty<DeliveryStep>();
        var what = stored?.Problem ?? "its folder is missing";
        if (input.Desired.RestoreOffer is not { } signed)
        {
            return new Refuse(new Refusal(RefusalCode.StoreDamaged, version, $"{input.Model} v{version} is damaged in the store ({what}) and its manifest is not on the broker to fetch it again{ServingNote(current)}", Retryable: true), key);
        }

        if (CheckSigned(input, signed) is { } refusal)
        {
            return new Refuse(new Refusal(RefusalCode.StoreDamaged, version, $"{input.Model} v{version} is damaged in the store ({what}); its manifest on the broker was refused: {refusal.Message}", Retryable: true), key);
        }

        if (signed.Offer!.Version != version)
        {
            return new Refuse(new Refusal(RefusalCode.StoreDamaged, version, $"{input.Model} v{version} is damaged in the store ({what}); the manifest retained for it offers v{signed.Offer.Version}", Retryable: true), key);
        }

        // The version was verified and served before: its signed manifest may have expired since, which does not make
        // its bytes less trustworthy, so a repair does not apply expiry or anti-rollback.
        return PlanFetchAndServe(input, signed, PlanPurpose.Repair, prefix, key);
    }

    /// <summary>
    /// The recorded version whose retained manifest a pass reads before it plans: damaged or missing in the store and
    /// not waiting out an earlier failure at <paramref name="now"/>. Null when no repair is due. It applies the
    /// planner's own wait rule, so a caller that passes the planner the same instant gets a repair plan whenever the
    /// manifest is on the broker: with two clock readings a moment apart, a pass could skip the read just before the
    /// wait ran out and then plan just after it, refusing for a manifest "not on the broker" and doubling the wait.
    /// </summary>
    /// <param name="current">Where the model stands (its failures included).</param>
    /// <param name="now">The pass's instant; the same one goes into <see cref="DeliveryInput.Now"/>.</param>
    /// <param name="limits">The retry delays that apply.</param>
    public static long? RestoreOfferVersion(CurrentModel current, DateTimeOffset now, DeliveryLimits limits)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(limits);
        if (current.RecordedServing is not (> 0 and var version) || current.StoredAt(version) is { Usable: true })
        {
            return null;
        }

        var probe = new DeliveryInput(string.Empty, new DesiredModel(), current, now, limits);
        return Waiting(probe, RestoreKey(version)) is null ? version : null;
    }

    /// <summary>The newest intact stored version other than <paramref name="except"/> not waiting out a failure, else the built-in v0, else null.</summary>
    private static long? Fallback(DeliveryInput input, long except)
    {
        var current = input.Current;
        var stored = current.Stored
            .Where(s => s.Usable && s.Version != except && Waiting(input, RestoreKey(s.Version)) is null)
            .Select(s => (long?)s.Version)
            .Max();
        return stored ?? (current.HasBuiltIn && except != 0 && Waiting(input, RestoreKey(0)) is null ? 0 : null);
    }

    private static RunPlan FallbackPlan(long version) => new(new DeliveryPlan(
        PlanPurpose.Fallback,
        version,
        version == 0 ? [new(StepKind.ActivateFallback, 0)] : [new(StepKind.CheckStored, version), new(StepKind.ActivateFallback, version)],
        Key: RestoreKey(version)));

    private static string ServingNote(CurrentModel current) => current.Serving is { } serving ? $"; v{serving} serves meanwhile" : "; nothing serves meanwhile";

    /// <summary>
    /// What nobody needs: partial downloads of versions already installed or superseded by a newer offer, of a
    /// republished version (another sha256), or untouched for longer than the abandonment age; and damaged versions
    /// that are not the recorded one (which is repaired instead).
    /// </summary>
    private static List<DeliveryStep> Discards(DeliveryInput input)
    {
        var current = input.Current;
        var offered = input.Desired.Offer?.Offer;
        var restoring = input.Desired.RestoreOffer?.Offer;
        var steps = new List<DeliveryStep>();
        foreach (var download in current.Downloads)
        {
            var wanted = (offered is { } o && o.Version == download.Version && o.Sha256.StartsWith(download.Sha256Prefix, StringComparison.Ordinal) && o.Version > current.HighestVersion)
                || (restoring is { } r && r.Version == download.Version && r.Sha256.StartsWith(download.Sha256Prefix, StringComparison.Ordinal));
            var abandoned = input.Now - download.LastWrite > input.Limits.AbandonedDownloadAge;
            var superseded = download.Version <= current.HighestVersion || (offered is not null && offered.Version > download.Version);
            if (abandoned || (!wanted && superseded) || (!wanted && offered is not null && offered.Version == download.Version))
            {
                steps.Add(new DeliveryStep(StepKind.DiscardDownload, download.Version));
            }
        }

        foreach (var damaged in current.Stored.Where(s => s.Health == StoredHealth.Damaged && s.Version != current.RecordedServing))
        {
            steps.Add(new DeliveryStep(StepKind.DiscardStored, damaged.Version));
        }

        return [.. steps.Distinct()];
    }
}
