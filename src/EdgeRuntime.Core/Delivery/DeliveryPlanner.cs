using System.Globalization;

namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// Decides, for one model, what delivery does next — the pure half of the reconcile loop, after the shape of Azure IoT
/// Edge's agent: desired state (offers, commands) and current state (what serves, what the store holds, what failed,
/// what room there is) go in; a refusal with a code, nothing to do, a wait, or a plan of undoable steps comes out.
/// It reads no clock, disk or broker: every fact is in <see cref="DeliveryInput"/>, so every rule is unit-tested in
/// milliseconds. Precedence: an admitted command first; then keeping the recorded version serving (restore, fallback,
/// repair); then the latest offer; then cleanup. Thread-safe (stateless).
/// </summary>
public static partial class DeliveryPlanner
{
    /// <summary>Plans the next thing to do for <paramref name="input"/>'s model.</summary>
    public static DeliveryDecision Plan(DeliveryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Desired.Command is { } command)
        {
            return PlanCommand(input, command);
        }

        if (PlanRestore(input) is { } restore)
        {
            return restore;
        }

        var discards = Discards(input);
        if (input.Desired.Offer is { } offer)
        {
            var decision = PlanOffer(input, offer, discards);
            if (decision is not NothingToDo || discards.Count == 0)
            {
                return decision;
            }
        }

        return discards.Count > 0
            ? new RunPlan(new DeliveryPlan(PlanPurpose.Cleanup, input.Current.Serving ?? 0, discards))
            : new NothingToDo(ServingLine(input), input.Current.Serving);
    }

    /// <summary>The key under which a failed restore of <paramref name="version"/> is remembered (restores have no signed offer of their own).</summary>
    public static string RestoreKey(long version) => $"restore:v{version.ToString(CultureInfo.InvariantCulture)}";

    private static string ServingLine(DeliveryInput input) => input.Current.Serving is { } serving
        ? $"{input.Model} v{serving} is serving"
        : $"{input.Model} has no version to serve";

    /// <summary>The retryable failure remembered under <paramref name="key"/>, if its wait has not run out (or space came back).</summary>
    private static WaitUntil? Waiting(DeliveryInput input, string key)
    {
        var failure = input.Current.Failures.FirstOrDefault(f => f.EnvelopeId == key);
        if (failure is null)
        {
            return null;
        }

        var until = failure.At + input.Limits.RetryDelay(failure.Attempts);
        var spaceCameBack = failure.Refusal.Code == RefusalCode.DiskFull && input.Current.Usage.FreeBytes > failure.FreeBytesAtFailure;
        return input.Now < until && !spaceCameBack ? new WaitUntil(until, failure.Refusal) : null;
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MB");

    private static string Iso(DateTimeOffset time) => time.ToString("u", CultureInfo.InvariantCulture);
}
