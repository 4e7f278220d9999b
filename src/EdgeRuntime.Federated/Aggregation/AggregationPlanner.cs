namespace EdgeRuntime.Federated.Aggregation;

/// <summary>What is buffered towards the next version, as the planner sees it.</summary>
/// <param name="Version">The current global version.</param>
/// <param name="Buffered">Updates buffered (own and in received partial sums), all within the staleness bound.</param>
/// <param name="BufferedAtVersion">Of those, updates that started from <paramref name="Version"/> (FedAvg's round).</param>
/// <param name="OldestBufferedAt">When the oldest buffered update arrived; null when none.</param>
/// <param name="VersionSince">When <paramref name="Version"/> was made (the round's start).</param>
public readonly record struct BufferSummary(long Version, int Buffered, int BufferedAtVersion, DateTimeOffset? OldestBufferedAt, DateTimeOffset VersionSince);

/// <summary>The planner's decision.</summary>
/// <param name="Aggregate">Make the next version now.</param>
/// <param name="Reason">Why (for the log and status): "buffer full (10 of 10)", "round deadline with 7 updates".</param>
/// <param name="CheckAgainAt">When the decision may change without new updates arriving (a deadline); null when only updates change it.</param>
public readonly record struct AggregationDecision(bool Aggregate, string Reason, DateTimeOffset? CheckAgainAt);

/// <summary>When to make a new version: FedBuff at K buffered updates (or the oldest's <see cref="AggregationOptions.MaxWait"/>), FedAvg when the round's participants have all reported or its deadline passed with a quorum. Pure.</summary>
public static class AggregationPlanner
{
    /// <summary>Decides at <paramref name="now"/>.</summary>
    public static AggregationDecision Decide(BufferSummary buffer, DateTimeOffset now, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode == AggregationMode.FedBuff)
        {
            if (buffer.Buffered >= options.BufferSize)
            {
                return new(true, $"buffer full ({buffer.Buffered} of {options.BufferSize})", null);
            }

            if (options.MaxWait is { } wait && buffer.OldestBufferedAt is { } oldest)
            {
                var due = oldest + wait;
                return now >= due
                    ? new(true, $"oldest of {buffer.Buffered} buffered updates waited {(now - oldest).TotalSeconds:0.#} s", null)
                    : new(false, $"{buffer.Buffered} of {options.BufferSize} buffered", due);
            }

            return new(false, $"{buffer.Buffered} of {options.BufferSize} buffered", null);
        }

        var round = buffer.BufferedAtVersion;
        if (options.ExpectedParticipants > 0 && round >= options.ExpectedParticipants)
        {
            return new(true, $"round of v{buffer.Version} complete ({round} of {options.ExpectedParticipants})", null);
        }

        var deadline = buffer.VersionSince + options.RoundDeadline;
        if (now >= deadline)
        {
            return round >= options.Quorum
                ? new(true, $"round of v{buffer.Version} closed at its deadline with {round} updates", null)
                : new(false, $"round of v{buffer.Version} past its deadline, waiting for a quorum ({round} of {options.Quorum})", null);
        }

        return new(false, $"round of v{buffer.Version}: {round} updates", deadline);
    }
}
