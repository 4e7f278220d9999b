namespace EdgeRuntime.Core.Delivery;

public static partial class DeliveryPlanner
{
    /// <summary>
    /// Whether a command is carried out at all: signed by a trusted key, a command this device knows on its own topic,
    /// for this device, not expired. Returns null when admitted, or the refusal to answer with.
    /// </summary>
    /// <param name="command">The command as it arrived.</param>
    /// <param name="deviceId">This device's id.</param>
    /// <param name="now">The time it is judged at.</param>
    public static Refusal? Admit(SignedCommand command, string deviceId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Verdict != SignatureVerdict.Accepted)
        {
            var code = command.Verdict switch
            {
                SignatureVerdict.NoTrustedKeys => RefusalCode.NoTrustedKeys,
                SignatureVerdict.UnknownKey => RefusalCode.UnknownKey,
                SignatureVerdict.BadSignature => RefusalCode.BadSignature,
                _ => RefusalCode.Malformed,
            };
            var hint = command.Verdict == SignatureVerdict.NoTrustedKeys ? "; no trusted keys are configured (Delivery:TrustedKeys)" : string.Empty;
            return new Refusal(code, 0, $"command refused: {command.Problem}{hint}");
        }

        if (command.Kind is null || command.Name != command.Topic)
        {
            return new Refusal(RefusalCode.Malformed, 0, $"command refused: the signed document is not a '{command.Topic}' command");
        }

        if (command.DeviceId != deviceId)
        {
            return new Refusal(RefusalCode.WrongDevice, command.Version ?? 0, $"command refused: it is for device '{command.DeviceId}'");
        }

        if (now > command.ExpiresAt)
        {
            return new Refusal(RefusalCode.Expired, command.Version ?? 0, $"command refused: it expired at {Iso(command.ExpiresAt)}");
        }

        return Models.ModelName.IsValid(command.Model)
            ? null
            : new Refusal(RefusalCode.Malformed, 0, $"command refused: model name '{command.Model}' is not allowed: {Models.ModelName.AllowedDescription}");
    }

    private static DeliveryDecision PlanCommand(DeliveryInput input, ModelCommand command) => command.Kind switch
    {
        CommandKind.Deploy => PlanDeploy(input, command),
        CommandKind.Rollback => PlanRollback(input, command),
        _ => PlanRepair(input),
    };

    /// <summary>The hold a command that moves the device leaves: every version offered or served so far.</summary>
    private static long Hold(DeliveryInput input) => Math.Max(input.Current.HighestVersion, input.Desired.Offer?.Offer?.Version ?? 0);

    private static DeliveryDecision PlanDeploy(DeliveryInput input, ModelCommand command)
    {
        var current = input.Current;
        if (command.Version is not { } version)
        {
            return new Refuse(new Refusal(RefusalCode.Malformed, 0, "deploy needs a version"));
        }

        if (current.Serving == version)
        {
            return new NothingToDo($"{input.Model} v{version} is already serving", version);
        }

        if (version == 0)
        {
            return current.HasBuiltIn
                ? new RunPlan(new DeliveryPlan(PlanPurpose.Deploy, 0, [new(StepKind.Activate, 0)], HoldThrough: Hold(input)))
                : new Refuse(new Refusal(RefusalCode.NotInStore, 0, $"{input.Model} has no built-in version 0 on this device"));
        }

        var stored = current.StoredAt(version);
        if (stored is { Usable: true })
        {
            return new RunPlan(new DeliveryPlan(PlanPurpose.Deploy, version, [new(StepKind.CheckStored, version), new(StepKind.Activate, version), new(StepKind.Prune, version)], HoldThrough: Hold(input)));
        }

        if (command.VersionOffer is not { } signed)
        {
            return new Refuse(new Refusal(RefusalCode.NotOnBroker, version, $"{input.Model} v{version} is not in the store and its manifest is not on the broker"));
        }

        if (CheckSigned(input, signed) is { } refusal)
        {
            return new Refuse(refusal);
        }

        var offer = signed.Offer!;
        if (offer.Version != version)
        {
            return new Refuse(new Refusal(RefusalCode.WrongVersion, version, $"manifest refused: the manifest retained for v{version} names v{offer.Version}"));
        }

        if (CheckTargets(input, offer) is { } notTargeted)
        {
            return new Refuse(notTargeted);
        }

        if (input.ExpiryNow > offer.ExpiresAt)
        {
            return new Refuse(new Refusal(RefusalCode.Expired, version, $"manifest refused: it expired at {Iso(offer.ExpiresAt)}"));
        }

        // A damaged stored copy is fetched again; a version the store no longer holds may not come back past anti-rollback.
        if (stored is null && version <= current.HighestVersion)
        {
            return new Refuse(new Refusal(RefusalCode.NotNewer, version, $"version {version} is not newer than v{current.HighestVersion}, installed before, and the store no longer holds it (anti-rollback)"));
        }

        var prefix = stored is null ? Array.Empty<DeliveryStep>() : [new DeliveryStep(StepKind.DiscardStored, version)];
        return PlanFetchAndServe(input, signed, PlanPurpose.Deploy, prefix, key: null, Hold(input));
    }

    private static DeliveryDecision PlanRollback(DeliveryInput input, ModelCommand command)
    {
        var current = input.Current;
        var serving = current.Serving;
        var usable = current.Stored.Where(s => s.Usable).Select(s => s.Version).ToList();
        long? target = command.Version
            ?? usable.Where(v => serving is null || v < serving).Select(v => (long?)v).Max()
            ?? (current.HasBuiltIn && serving is > 0 ? 0 : null);
        if (target is not { } version)
        {
            var stored = current.Stored.Count == 0 ? "none" : string.Join(", ", current.Stored.Select(s => $"v{s.Version}"));
            return new Refuse(new Refusal(RefusalCode.NotInStore, 0, $"no stored version of {input.Model} older than v{serving} to roll back to (stored: {stored})"));
        }

        if (serving is { } now && version >= now)
        {
            return new Refuse(new Refusal(RefusalCode.NotOlder, version, $"rollback goes to an older version; v{version} is not older than the serving v{now}"));
        }

        if (version == 0)
        {
            return current.HasBuiltIn
                ? new RunPlan(new DeliveryPlan(PlanPurpose.Rollback, 0, [new(StepKind.Activate, 0)], HoldThrough: Hold(input)))
                : new Refuse(new Refusal(RefusalCode.NotInStore, 0, $"{input.Model} has no built-in version 0 on this device"));
        }

        return current.StoredAt(version) switch
        {
            null => new Refuse(new Refusal(RefusalCode.NotInStore, version, $"{input.Model} v{version} is no longer in the store (it keeps {input.Limits.KeepVersions} versions)")),
            { Usable: false } damaged => new Refuse(new Refusal(RefusalCode.StoreDamaged, version, $"{input.Model} v{version} is damaged in the store: {damaged.Problem}")),
            _ => new RunPlan(new DeliveryPlan(PlanPurpose.Rollback, version, [new(StepKind.CheckStored, version), new(StepKind.Activate, version), new(StepKind.Prune, version)], HoldThrough: Hold(input))),
        };
    }

    /// <summary>A repair command: the store was just verified in full; restore or clean up what that found, or say it is intact.</summary>
    private static DeliveryDecision PlanRepair(DeliveryInput input)
    {
        if (PlanRestore(input) is { } restore and not WaitUntil)
        {
            return restore;
        }

        var discards = Discards(input);
        if (discards.Count > 0)
        {
            return new RunPlan(new DeliveryPlan(PlanPurpose.Cleanup, input.Current.Serving ?? 0, discards));
        }

        var intact = input.Current.Stored.Count == 0 ? "no stored versions" : string.Join(", ", input.Current.Stored.Select(s => $"v{s.Version}"));
        return new NothingToDo($"{input.Model}: the store is intact ({intact}); {ServingLine(input)}", input.Current.Serving);
    }
}
