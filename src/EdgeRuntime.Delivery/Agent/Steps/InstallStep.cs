using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Transfer;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>Moves the verified file and its signed manifest into the store as a whole version folder. Undo deletes the folder.</summary>
internal sealed class InstallStep(StepEffects effects) : IDeliveryStep
{
    public StepKind Kind => StepKind.Install;

    public Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        var manifest = run.Manifest ?? throw new InvalidOperationException($"{run.Plan} installs without a manifest");
        var file = run.VerifiedFile ?? throw new InvalidOperationException($"{run.Plan} installs without a verified file");
        try
        {
            run.Installed = effects.Store.Install(manifest, run.Envelope, file);
        }
        catch (IOException ex)
        {
            throw FetchStep.DiskFailure(step.Version, $"cannot install {manifest}", ex);
        }

        PartialDownload.Delete(PartialDownload.FolderFor(effects.Store.DownloadsRoot, manifest));
        return Task.CompletedTask;
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        // Stopping or preempted: the installed version is verified and whole; a later pass activates it.
        if (cause is null)
        {
            return;
        }

        if (effects.Store.TryState(run.Model, out _)?.ServingVersion != step.Version && effects.Activator.ServingVersion(run.Model) != step.Version)
        {
            effects.Store.Discard(run.Model, step.Version);
        }
    }
}
