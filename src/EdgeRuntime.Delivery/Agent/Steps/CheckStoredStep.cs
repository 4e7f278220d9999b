using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Store;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>
/// Re-hashes a stored version's model file against its signed sha256 before it serves — disks rot and people edit
/// folders — so that no inference ever comes from a file that was not verified. A mismatch is remembered (the version
/// counts as damaged until its file changes) and refuses the plan as <c>store-damaged</c>.
/// </summary>
internal sealed class CheckStoredStep(StepEffects effects, Func<string, ReconcilerMemory> memoryOf) : IDeliveryStep
{
    public StepKind Kind => StepKind.CheckStored;

    public async Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        if (step.Version == 0)
        {
            return;
        }

        var problem = await Task.Run(() => effects.Store.VerifyModelFile(run.Model, step.Version), cancellationToken);
        if (problem is not null)
        {
            memoryOf(run.Model).Damaged(step.Version, problem, Path.Combine(effects.Store.VersionFolder(run.Model, step.Version), ModelStore.ModelFileName));
            throw DeliveryStepException.Of(RefusalCode.StoreDamaged, step.Version, $"stored {run.Model} v{step.Version} no longer matches its signed manifest ({problem}); it was changed on disk");
        }
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        // Reading changes nothing.
    }
}
