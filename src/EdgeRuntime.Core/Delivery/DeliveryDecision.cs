namespace EdgeRuntime.Core.Delivery;

/// <summary>What the planner decided for a model: refuse, nothing to do, wait, or run a plan.</summary>
public abstract record DeliveryDecision
{
    private protected DeliveryDecision()
    {
    }
}

/// <summary>Refuse the offer or command, with a code; nothing changes on the device.</summary>
/// <param name="Refusal">The code, version and reason.</param>
/// <param name="Key">
/// Under what the refusal is remembered: a signed offer's envelope id (refused for good, or retried after a delay when
/// retryable), <see cref="DeliveryPlanner.RestoreKey"/> for a restore (always retried after a delay), null for a command
/// (answered, not remembered).
/// </param>
public sealed record Refuse(Refusal Refusal, string? Key = null) : DeliveryDecision;

/// <summary>Nothing to do: the device is where the fleet wants it (the reason answers a command).</summary>
/// <param name="Reason">One line: "traffic v3 is already serving".</param>
/// <param name="Serving">The version that serves.</param>
public sealed record NothingToDo(string Reason, long? Serving) : DeliveryDecision;

/// <summary>Try again at <paramref name="Until"/>: a retryable failure is waiting out its delay.</summary>
/// <param name="Until">When to plan again (sooner if anything changes).</param>
/// <param name="Failure">The failure being waited out.</param>
public sealed record WaitUntil(DateTimeOffset Until, Refusal Failure) : DeliveryDecision;

/// <summary>Run <paramref name="Plan"/>.</summary>
/// <param name="Plan">The steps.</param>
public sealed record RunPlan(DeliveryPlan Plan) : DeliveryDecision;
