using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>The effect behind one <see cref="StepKind"/>: doing it, and undoing it when a later step fails.</summary>
internal interface IDeliveryStep
{
    /// <summary>The kind it carries out.</summary>
    StepKind Kind { get; }

    /// <summary>Does the step.</summary>
    /// <exception cref="DeliveryStepException">An expected failure, with its refusal.</exception>
    Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken);

    /// <summary>
    /// Undoes what the step did (or left half done), best effort. <paramref name="cause"/> is the refusal that ended the
    /// plan, or null when it was preempted or the daemon is stopping (then work that a later pass can reuse is kept).
    /// </summary>
    void Undo(PlanRun run, DeliveryStep step, Refusal? cause);
}
