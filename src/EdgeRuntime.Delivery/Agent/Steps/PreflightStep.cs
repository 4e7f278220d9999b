using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>Loads and runs the verified file in a separate process with memory and time limits before anything else touches it.</summary>
internal sealed class PreflightStep(StepEffects effects) : IDeliveryStep
{
    public StepKind Kind => StepKind.Preflight;

    public async Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        var file = run.VerifiedFile ?? throw new InvalidOperationException($"{run.Plan} runs pre-flight without a verified file");
        effects.Reporter.Report(run.Model, step.Version, ModelPhase.Verifying, "pre-flight in a separate process", effects.Activator.ServingVersion(run.Model));
        var result = await effects.Preflight.RunAsync(file, cancellationToken);
        if (!result.Passed)
        {
            throw DeliveryStepException.Of(RefusalCode.PreflightFailed, step.Version, $"pre-flight failed: {result.Problem}");
        }
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        // The fetch's undo deletes the refused download.
    }
}
