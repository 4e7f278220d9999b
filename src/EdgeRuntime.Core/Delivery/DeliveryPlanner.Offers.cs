namespace EdgeRuntime.Core.Delivery;

public static partial class DeliveryPlanner
{
    /// <summary>Whether the latest offer is one the device will follow now (so a repair of an older recorded version yields to it).</summary>
    private static bool Followable(DeliveryInput input) =>
        input.Desired.Offer is { Verdict: SignatureVerdict.Accepted, Offer: { } offer } signed
        && offer.Name == input.Model
        && signed.TopicVersion is null
        && CheckTargets(input, offer) is null
        && input.ExpiryNow <= offer.ExpiresAt
        && offer.Version > Math.Max(input.Current.HighestVersion, input.Current.HeldThrough)
        && offer.Version != input.Current.Serving
        && CheckLatest(input, offer) is null
        && !input.Current.RefusedEnvelopes.Contains(signed.EnvelopeId)
        && Waiting(input, signed.EnvelopeId) is null;

    /// <summary>The latest offer on the model's topic: refuse it, ignore it (already there, held back, waiting), or fetch and serve it.</summary>
    private static DeliveryDecision PlanOffer(DeliveryInput input, SignedOffer signed, IReadOnlyList<DeliveryStep> discards)
    {
        var current = input.Current;
        if (current.RefusedEnvelopes.Contains(signed.EnvelopeId))
        {
            // The broker sends retained manifests on every connection; a refusal is reported once.
            return new NothingToDo($"this manifest of {input.Model} was refused before", current.Serving);
        }

        var key = signed.EnvelopeId;
        if (CheckSigned(input, signed) is { } refusal)
        {
            return new Refuse(refusal, key);
        }

        var offer = signed.Offer!;
        if (CheckTargets(input, offer) is { } notTargeted)
        {
            return new Refuse(notTargeted, key);
        }

        if (input.ExpiryNow > offer.ExpiresAt)
        {
            return new Refuse(new Refusal(RefusalCode.Expired, offer.Version, $"manifest refused: it expired at {Iso(offer.ExpiresAt)}"), key);
        }

        if (offer.Version == current.Serving)
        {
            return new NothingToDo($"{input.Model} v{offer.Version} is already serving", current.Serving);
        }

        if (offer.Version <= current.HeldThrough)
        {
            return new NothingToDo($"{input.Model} v{offer.Version} is held back: a command moved the device to v{current.Serving}; a newer version moves it forward again", current.Serving);
        }

        if (offer.Version <= current.HighestVersion)
        {
            return offer.Version == current.HighestVersion
                ? new NothingToDo($"{input.Model} v{offer.Version} was installed before; a signed deploy command can return to it", current.Serving)
                : new Refuse(new Refusal(RefusalCode.NotNewer, offer.Version, $"version {offer.Version} is not newer than v{current.HighestVersion}, installed before (anti-rollback; a signed rollback command may go back)"), key);
        }

        // Only a fresh signed statement makes a manifest the latest: an old one republished there (a freeze) is not installed.
        if (AwaitsItsStatement(input, offer))
        {
            return new NothingToDo($"{input.Model} v{offer.Version} on the latest topic waits for the fleet's statement naming it (the fresh one names v{input.Desired.Latest!.Statement!.Version})", current.Serving);
        }

        if (CheckLatest(input, offer) is { } stale)
        {
            var staleKey = StaleKey(signed, input.Desired.Latest);
            return current.RefusedEnvelopes.Contains(staleKey)
                ? new NothingToDo($"{input.Model} v{offer.Version} on the latest topic waits for a fresh latest statement (reported before)", current.Serving)
                : new Refuse(stale, staleKey);
        }

        if (Waiting(input, key) is { } wait)
        {
            return wait;
        }

        return PlanFetchAndServe(input, signed, PlanPurpose.Install, discards, key);
    }

    /// <summary>The signature verdict, the parse, and the model and version of a signed manifest against the topic it came on; null when all pass.</summary>
    private static Refusal? CheckSigned(DeliveryInput input, SignedOffer signed)
    {
        if (signed.Verdict != SignatureVerdict.Accepted)
        {
            var code = signed.Verdict switch
            {
                SignatureVerdict.NoTrustedKeys => RefusalCode.NoTrustedKeys,
                SignatureVerdict.UnknownKey => RefusalCode.UnknownKey,
                SignatureVerdict.BadSignature => RefusalCode.BadSignature,
                _ => RefusalCode.Malformed,
            };
            var hint = signed.Verdict == SignatureVerdict.NoTrustedKeys ? "; no trusted keys are configured (Delivery:TrustedKeys)" : string.Empty;
            return new Refusal(code, 0, $"manifest refused: {signed.Problem}{hint}");
        }

        if (signed.Offer is not { } offer)
        {
            return new Refusal(RefusalCode.Malformed, 0, $"manifest refused: {signed.Problem ?? "it is not a model manifest"}");
        }

        if (offer.Name != input.Model)
        {
            return new Refusal(RefusalCode.WrongModel, offer.Version, $"manifest refused: it names model '{offer.Name}' but came on the topic of '{input.Model}'");
        }

        return signed.TopicVersion is { } topicVersion && topicVersion != offer.Version
            ? new Refusal(RefusalCode.WrongVersion, offer.Version, $"manifest refused: it names v{offer.Version} but came on the topic of v{topicVersion}")
            : null;
    }

    /// <summary>
    /// The full path of an offered version: serve a complete stored copy when there is one, otherwise check room, then
    /// fetch → verify → pre-flight → install → activate → prune, after <paramref name="prefix"/> (discards).
    /// </summary>
    private static DeliveryDecision PlanFetchAndServe(DeliveryInput input, SignedOffer signed, PlanPurpose purpose, IReadOnlyList<DeliveryStep> prefix, string? key, long? holdThrough = null)
    {
        var current = input.Current;
        var offer = signed.Offer!;
        var version = offer.Version;
        if (current.StoredAt(version) is { Usable: true })
        {
            // Installed before an interruption (a crash between install and activation, a failed activation retried).
            return new RunPlan(new DeliveryPlan(purpose, version, [.. prefix, new(StepKind.CheckStored, version), new(StepKind.Activate, version), new(StepKind.Prune, version)], signed, holdThrough, key));
        }

        if (CheckRoom(input, offer, prefix) is { } noRoom)
        {
            return new Refuse(noRoom, key);
        }

        return new RunPlan(new DeliveryPlan(
            purpose,
            version,
            [
                .. prefix,
                new(StepKind.Fetch, version),
                new(StepKind.VerifyFile, version),
                new(StepKind.Preflight, version),
                new(StepKind.Install, version),
                new(StepKind.Activate, version),
                new(StepKind.Prune, version),
            ],
            signed,
            holdThrough,
            key));
    }

    /// <summary>
    /// Whether the version fits: under the quota (counting what pruning and the planned discards free, and what is
    /// already downloaded of it), and on the file system (a first download needs its whole length free).
    /// </summary>
    private static Refusal? CheckRoom(DeliveryInput input, OfferedVersion offer, IReadOnlyList<DeliveryStep> prefix)
    {
        var current = input.Current;
        var quota = current.Usage.QuotaBytes;
        if (offer.Length > quota)
        {
            return new Refusal(RefusalCode.OverQuota, offer.Version, $"refused: the model is {Megabytes(offer.Length)}, more than the store quota of {Megabytes(quota)} (Delivery:StoreQuotaMegabytes)");
        }

        var existing = current.Downloads.FirstOrDefault(d => d.Version == offer.Version && offer.Sha256.StartsWith(d.Sha256Prefix, StringComparison.Ordinal));
        var discarded = prefix.Where(s => s.Kind == StepKind.DiscardDownload).Sum(s => current.Downloads.Where(d => d.Version == s.Version && d != existing).Sum(d => d.Bytes))
            + prefix.Where(s => s.Kind == StepKind.DiscardStored).Sum(s => current.StoredAt(s.Version)?.Bytes ?? 0);
        var reclaimable = Prunable(current, input.Limits.KeepVersions - 1).Sum(v => current.StoredAt(v)!.Bytes) + discarded;
        var after = current.Usage.UsedBytes - reclaimable + (existing is null ? offer.Length : 0);
        if (after > quota)
        {
            return new Refusal(RefusalCode.OverQuota, offer.Version, $"refused: storing {Megabytes(offer.Length)} would bring the store to {Megabytes(after)}, over its quota of {Megabytes(quota)} (Delivery:StoreQuotaMegabytes)");
        }

        if (existing is null && offer.Length > current.Usage.FreeBytes + reclaimable)
        {
            return new Refusal(RefusalCode.DiskFull, offer.Version, $"{input.Model} v{offer.Version} needs {Megabytes(offer.Length)}; the file system has {Megabytes(current.Usage.FreeBytes)} free (waiting for space)", Retryable: true);
        }

        return null;
    }

    /// <summary>Stored versions pruning would delete to keep the newest <paramref name="keepNewest"/> (never the serving or recorded one).</summary>
    private static IEnumerable<long> Prunable(CurrentModel current, int keepNewest)
    {
        var versions = current.Stored.Select(s => s.Version).Order().ToList();
        return versions.Take(Math.Max(0, versions.Count - Math.Max(0, keepNewest))).Where(v => v != current.Serving && v != current.RecordedServing);
    }
}
