using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Transfer;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>Checks the assembled file's exact length and signed sha256; wrong bytes refuse the version (the fetch's undo deletes them).</summary>
internal sealed class VerifyFileStep(StepEffects effects) : IDeliveryStep
{
    public StepKind Kind => StepKind.VerifyFile;

    public Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        var download = run.Download ?? throw new InvalidOperationException($"{run.Plan} verifies without a download");
        effects.Reporter.Report(run.Model, step.Version, ModelPhase.Verifying, "whole-file sha256", effects.Activator.ServingVersion(run.Model));
        try
        {
            download.Complete();
        }
        catch (TransferException ex)
        {
            throw DeliveryStepException.Of(RefusalCode.FileCorrupt, step.Version, ex.Message, ex);
        }

        run.VerifiedFile = download.PartPath;
        download.Dispose();
        run.Download = null;
        return Task.CompletedTask;
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        // The fetch's undo decides whether the download stays.
    }
}
