using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>Deletes a partial download nobody needs (superseded, installed, republished, abandoned).</summary>
internal sealed class DiscardDownloadStep(StepEffects effects) : IDeliveryStep
{
    public StepKind Kind => StepKind.DiscardDownload;

    public Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        effects.Store.DiscardDownloads(run.Model, step.Version);
        return Task.CompletedTask;
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        // Nothing to put back: the download was not wanted.
    }
}

/// <summary>Deletes a damaged version folder (a fetch of the same version, if planned, follows).</summary>
internal sealed class DiscardStoredStep(StepEffects effects) : IDeliveryStep
{
    public StepKind Kind => StepKind.DiscardStored;

    public Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        effects.Store.Discard(run.Model, step.Version);
        return Task.CompletedTask;
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        // Nothing to put back: the folder was unusable.
    }
}
