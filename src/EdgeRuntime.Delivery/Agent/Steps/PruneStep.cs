using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>Deletes the versions beyond Delivery:KeepVersions (never the serving one). Always last: it cannot be undone, and its failure does not undo the plan.</summary>
internal sealed class PruneStep(StepEffects effects) : IDeliveryStep
{
    public StepKind Kind => StepKind.Prune;

    public Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        try
        {
            effects.Store.Prune(run.Model, effects.Options.KeepVersions);
        }
        catch (IOException)
        {
            // Old versions stay a while longer; the next prune takes them.
        }

        return Task.CompletedTask;
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        // Deleted versions cannot come back; pruning is last so that nothing after it can fail.
    }
}
