namespace EdgeRuntime.Federated.Aggregation;

/// <summary>What the aggregator does with an update it received.</summary>
public enum AdmissionCode
{
    /// <summary>Buffer it for the next version.</summary>
    Accept,

    /// <summary>Seen before (by id): answer with a receipt, count nothing.</summary>
    Duplicate,

    /// <summary>Its base is past the maximum staleness: count it as expired.</summary>
    Expire,

    /// <summary>Refuse it (the reason says why): count it as rejected.</summary>
    Reject,
}

/// <summary>An admission decision and its reason (for receipts and logs).</summary>
/// <param name="Code">What to do.</param>
/// <param name="Reason">Why, for everything but <see cref="AdmissionCode.Accept"/>.</param>
public readonly record struct AdmissionOutcome(AdmissionCode Code, string? Reason)
{
    /// <summary>Accept.</summary>
    public static AdmissionOutcome Accepted { get; } = new(AdmissionCode.Accept, null);
}
