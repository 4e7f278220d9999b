using EdgeRuntime.Federated.Updates;

namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// Whether an update whose signature checked out may be buffered: the right model and tensors, a base version the
/// fleet has published, not too stale, a sensible example count. Pure; the aggregator checks signature and
/// duplicates before it.
/// </summary>
public static class UpdateAdmission
{
    /// <summary>Decides for <paramref name="header"/>.</summary>
    /// <param name="header">The update's header.</param>
    /// <param name="model">The model this aggregator serves.</param>
    /// <param name="layout">Its trainable tensors.</param>
    /// <param name="currentVersion">The newest global version this aggregator knows.</param>
    /// <param name="firstVersion">The first version the aggregator published (older bases were never its).</param>
    /// <param name="options">The staleness bound.</param>
    /// <param name="versionKnownExactly">False on a member aggregator, whose view of the version may lag the lead's: a base newer than its own is then passed on, not refused.</param>
    public static AdmissionOutcome Check(UpdateHeader header, string model, ParameterLayout layout, long currentVersion, long firstVersion, AggregationOptions options, bool versionKnownExactly = true)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        if (!string.Equals(header.Model, model, StringComparison.Ordinal))
        {
            return new(AdmissionCode.Reject, $"an update of model '{header.Model}' sent to the aggregator of '{model}'");
        }

        if (!header.Layout().Equals(layout))
        {
            return new(AdmissionCode.Reject, $"tensors [{string.Join(", ", header.Tensors.Select(t => $"{t.Name}:{t.Length}"))}] do not match the model's trainable set ({layout})");
        }

        if (header.Samples < 1)
        {
            return new(AdmissionCode.Reject, $"an update from {header.Samples} examples");
        }

        if (header.BaseVersion < firstVersion || (versionKnownExactly && header.BaseVersion > currentVersion))
        {
            return new(AdmissionCode.Reject, $"base version {header.BaseVersion} was never published (versions {firstVersion}..{currentVersion})");
        }

        var staleness = currentVersion - header.BaseVersion;
        return staleness > options.MaxStaleness
            ? new(AdmissionCode.Expire, $"base version {header.BaseVersion} is {staleness} versions old; at most {options.MaxStaleness} are used")
            : AdmissionOutcome.Accepted;
    }
}
