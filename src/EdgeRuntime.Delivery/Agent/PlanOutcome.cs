using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>How running a plan ended.</summary>
/// <param name="Kind">Done, failed (undone), or preempted (undone, download kept).</param>
/// <param name="Refusal">Why it failed, when it failed.</param>
internal sealed record PlanOutcome(PlanOutcomeKind Kind, Refusal? Refusal = null)
{
    public static PlanOutcome Done { get; } = new(PlanOutcomeKind.Done);

    public static PlanOutcome Preempted { get; } = new(PlanOutcomeKind.Preempted);

    public static PlanOutcome Failed(Refusal refusal) => new(PlanOutcomeKind.Failed, refusal);
}

/// <summary>The ways a plan ends.</summary>
internal enum PlanOutcomeKind
{
    Done,
    Failed,
    Preempted,
}
