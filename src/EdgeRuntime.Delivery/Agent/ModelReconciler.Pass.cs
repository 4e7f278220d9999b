using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Manifests;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

internal sealed partial class ModelReconciler
{
    /// <summary>Longest wait for a retained manifest right after subscribing (the broker sends it with the SUBACK).</summary>
    private static readonly TimeSpan RetainedWait = TimeSpan.FromSeconds(3);

    /// <summary>One pass: observe, plan, act, report, remember.</summary>
    private async Task<PassResult> PassAsync(PendingCommand? pending, CancellationToken stopping)
    {
        var effects = _services.Effects;
        var command = pending?.Command;
        if (command?.Kind == CommandKind.Repair)
        {
            // The fleet asks for action now: forget the waits of earlier failures.
            foreach (var key in _memory.Failures.Keys.Where(k => k.StartsWith("restore:", StringComparison.Ordinal)).ToList())
            {
                _memory.Failures.Remove(key);
            }
        }

        var current = _services.Reader.Read(_model, _memory, verifyAll: command?.Kind == CommandKind.Repair, StateRebuilt);
        (SignedOffer Offer, ModelManifest? Manifest, byte[] Envelope)? latest;
        SignedLatest? statement;
        lock (_gate)
        {
            latest = _offer;
            statement = _latest;
        }

        if (latest is { Manifest: { } offered } arrival)
        {
            // Only the manifests of the offers in play are needed; each pass adds back the ones it uses.
            if (_memory.Manifests.Count > 16)
            {
                _memory.Manifests.Clear();
            }

            _memory.Manifests[arrival.Offer.EnvelopeId] = (offered, arrival.Envelope);
        }

        // One instant per pass: whether a failed restore still waits is decided for the read below and by the planner
        // at the same time, so a pass never plans a repair without the manifest it skipped reading a moment earlier.
        var now = _services.Clock.GetUtcNow();
        var restoreOffer = DeliveryPlanner.RestoreOfferVersion(current, now, _services.Limits) is { } restoreVersion ? await ReadRetainedOfferAsync(restoreVersion, stopping) : null;
        if (command is { Kind: CommandKind.Deploy, Version: { } target } && target > 0 && target != current.Serving && current.StoredAt(target) is not { Usable: true })
        {
            command = command with { VersionOffer = await ReadRetainedOfferAsync(target, stopping) };
        }

        var input = new DeliveryInput(_model, new DesiredModel(latest?.Offer, command, restoreOffer, statement), current, now, _services.Limits)
        {
            Device = _services.Device,
            TimeFloor = effects.Trust.SignedTime.Floor,
        };
        var decision = DeliveryPlanner.Plan(input);
        switch (decision)
        {
            case Refuse refuse:
                if (pending is not null)
                {
                    LogCommandRefused(_services.Logger, _model, RefusalCodes.Name(refuse.Refusal.Code), refuse.Refusal.Message);
                    pending.Done.TrySetResult(CommandOutcome.Refused(refuse.Refusal, current.Serving));
                    return PassResult.Again;
                }

                effects.Reporter.Refused(_model, refuse.Refusal, current.Serving);
                if (refuse.Key is { } refusedKey)
                {
                    _memory.Remember(refusedKey, refuse.Refusal, now, current.Usage.FreeBytes, always: refusedKey.StartsWith("restore:", StringComparison.Ordinal));
                }

                return PassResult.Again;

            case NothingToDo nothing:
                pending?.Done.TrySetResult(new CommandOutcome(true, nothing.Reason, nothing.Serving ?? current.Serving));
                return pending is null ? PassResult.Idle : PassResult.Again;

            case WaitUntil wait:
                pending?.Done.TrySetResult(CommandOutcome.Refused(wait.Failure, current.Serving));
                return pending is null ? PassResult.Wait(wait.Until) : PassResult.Again;

            case RunPlan run:
                return await RunPlanAsync(run.Plan, pending, current, latest?.Offer, stopping);

            default:
                throw new InvalidOperationException($"unknown decision {decision}");
        }
    }

    private async Task<PassResult> RunPlanAsync(DeliveryPlan plan, PendingCommand? pending, CurrentModel before, SignedOffer? plannedWith, CancellationToken stopping)
    {
        var effects = _services.Effects;
        ModelManifest? manifest = null;
        byte[]? envelope = null;
        if (plan.Offer is { } offer && _memory.Manifests.TryGetValue(offer.EnvelopeId, out var known))
        {
            (manifest, envelope) = known;
        }

        LogPlan(_services.Logger, _model, plan.ToString());
        using var run = new PlanRun(_model, plan, manifest, envelope);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        run.Attach(cancel);
        SignedOffer? offerNow;
        lock (_gate)
        {
            _running = run;
            offerNow = _offer?.Offer;
        }

        // What arrived while this plan was being made preempts it as if it had arrived during it.
        if ((!ReferenceEquals(offerNow, plannedWith) && PreemptedByOffer(plan, offerNow)) || _commands.Reader.TryPeek(out _))
        {
            run.RequestPreemption();
        }

        PlanOutcome outcome;
        try
        {
            outcome = await _services.Runner.RunAsync(run, cancel.Token);
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
            }
        }

        var serving = effects.Activator.ServingVersion(_model);
        var now = _services.Clock.GetUtcNow();
        switch (outcome.Kind)
        {
            case PlanOutcomeKind.Done:
                if (plan.Key is { } doneKey)
                {
                    _memory.Succeeded(doneKey);
                }

                pending?.Done.TrySetResult(new CommandOutcome(true, plan.Purpose == PlanPurpose.Cleanup ? $"{_model}: removed what was damaged or abandoned" : $"{_model} v{plan.Version} serves", serving));
                break;

            case PlanOutcomeKind.Failed:
                var refusal = outcome.Refusal!;
                effects.Reporter.Refused(_model, refusal, serving);
                if (plan.Key is { } failedKey)
                {
                    _memory.Remember(failedKey, refusal, now, before.Usage.FreeBytes, always: plan.Purpose is PlanPurpose.Restore or PlanPurpose.Repair or PlanPurpose.Fallback);
                }

                pending?.Done.TrySetResult(new CommandOutcome(false, $"{refusal.Message}; v{serving?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} serves", serving, refusal.Code));
                break;

            default:
                if (stopping.IsCancellationRequested)
                {
                    pending?.Done.TrySetCanceled(stopping);
                    throw new OperationCanceledException(stopping);
                }

                pending?.Done.TrySetResult(new CommandOutcome(false, $"{_model} v{plan.Version}: preempted by a later command or a newer version before it finished", serving, RefusalCode.Superseded));
                break;
        }

        return PassResult.Again;
    }

    /// <summary>The manifest retained for one version (<c>{root}/models/{model}/{version}/manifest</c>), or null when the broker has none or is away.</summary>
    private async Task<SignedOffer?> ReadRetainedOfferAsync(long version, CancellationToken cancellationToken)
    {
        var connection = _services.Connection;
        if (!connection.IsConnected)
        {
            return null;
        }

        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var topic = _services.Topics.ModelVersionManifest(_model, version);
        await using (await connection.SubscribeAsync(topic, (message, _) =>
        {
            if (!message.Payload.IsEmpty)
            {
                received.TrySetResult(message.Payload.ToArray());
            }

            return Task.CompletedTask;
        }, cancellationToken: cancellationToken))
        {
            byte[] envelope;
            try
            {
                envelope = await received.Task.WaitAsync(RetainedWait, _services.Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }

            var (offer, manifest) = SignedOffers.Read(_model, version, envelope, _services.Effects.TrustedKeys);
            if (manifest is not null)
            {
                _services.Effects.Trust.Observe(manifest.CreatedAt, manifest.ExpiresAt);
                _memory.Manifests[offer.EnvelopeId] = (manifest, envelope);
            }

            return offer;
        }
    }

    private void StateRebuilt(long? serving, string what) =>
        _services.Effects.Reporter.Event(_model, serving ?? 0, ModelPhase.Verifying, what, _services.Effects.Activator.ServingVersion(_model), RefusalCode.StoreDamaged);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: plan {Plan}")]
    private static partial void LogPlan(ILogger logger, string model, string plan);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: command refused ({Code}): {Reason}")]
    private static partial void LogCommandRefused(ILogger logger, string model, string code, string reason);
}
