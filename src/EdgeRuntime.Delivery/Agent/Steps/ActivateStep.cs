using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>
/// Hands a verified version (or the built-in v0) to the activator — plan, session, warm-up, the pipelines' fit check,
/// swap — and, for <see cref="StepKind.Activate"/>, records it as serving (and what a command holds back). On failure
/// the previous version keeps serving; undo removes the version's derived files (a half-written plan).
/// </summary>
internal sealed class ActivateStep(StepEffects effects, StepKind kind) : IDeliveryStep
{
    public StepKind Kind => kind;

    public async Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        var target = Target(run, step);
        try
        {
            await effects.Activator.ActivateAsync(target, new StepProgress(effects, run.Model, step.Version, run.Quiet), cancellationToken);
        }
        catch (ModelActivationException ex)
        {
            throw DeliveryStepException.Of(ex.Code, step.Version, ex.Message, ex);
        }

        if (kind == StepKind.Activate)
        {
            try
            {
                effects.Store.MarkServing(run.Model, step.Version, run.Plan.HoldThrough);
                effects.Trust.Versions.Raise(run.Model, step.Version);
            }
            catch (IOException ex)
            {
                // It serves, but a restart would not know: say so; the next pass restores what is recorded.
                throw FetchStep.DiskFailure(step.Version, $"{run.Model} v{step.Version} serves but could not be recorded", ex);
            }
        }

        var detail = step.Version == 0 && effects.BuiltIns is { } builtIns ? builtIns.Describe(run.Model) : null;
        effects.Reporter.Report(run.Model, step.Version, ModelPhase.Serving, detail, step.Version, publishEvent: !run.Quiet);
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        if (cause is not null && step.Version > 0 && effects.Activator.ServingVersion(run.Model) != step.Version)
        {
            effects.Store.RemoveDerivedFiles(run.Model, step.Version);
        }
    }

    private InstalledModel Target(PlanRun run, DeliveryStep step)
    {
        if (step.Version == 0)
        {
            if (effects.BuiltIns is not { } builtIns || !builtIns.Names.Contains(run.Model, StringComparer.Ordinal))
            {
                throw DeliveryStepException.Of(RefusalCode.NotInStore, 0, $"{run.Model} has no built-in version 0 on this device");
            }

            try
            {
                return builtIns.Materialize(run.Model);
            }
            catch (FileNotFoundException ex)
            {
                throw DeliveryStepException.Of(RefusalCode.NotInStore, 0, $"{run.Model} v0: {ex.Message}");
            }
            catch (IOException ex)
            {
                throw FetchStep.DiskFailure(0, $"cannot write the built-in {run.Model} v0", ex);
            }
        }

        return run.Installed is { } installed && installed.Version == step.Version
            ? installed
            : effects.Store.Get(run.Model, step.Version)
              ?? throw DeliveryStepException.Of(RefusalCode.StoreDamaged, step.Version, $"{run.Model} v{step.Version} is missing from the model store");
    }

    /// <summary>Activation steps: every message updates the status; a change of phase is also an event.</summary>
    private sealed class StepProgress(StepEffects effects, string model, long version, bool quiet) : IProgress<ModelStepProgress>
    {
        private ModelPhase? _lastPhase;

        public void Report(ModelStepProgress value)
        {
            var phaseChanged = value.Phase != _lastPhase;
            _lastPhase = value.Phase;
            effects.Reporter.Report(model, version, value.Phase, value.Detail, effects.Activator.ServingVersion(model), publishEvent: phaseChanged && !quiet);
        }
    }
}
