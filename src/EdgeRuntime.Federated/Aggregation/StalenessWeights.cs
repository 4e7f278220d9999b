namespace EdgeRuntime.Federated.Aggregation;

/// <summary>The staleness weight s(τ) of <see cref="StalenessFunction"/>. Pure.</summary>
public static class StalenessWeights
{
    /// <summary>s(τ) for an update <paramref name="staleness"/> versions old (τ ≥ 0).</summary>
    public static double Of(long staleness, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(staleness);
        return options.Staleness switch
        {
            StalenessFunction.Constant => 1.0,
            StalenessFunction.Polynomial => Math.Pow(1.0 + staleness, -options.StalenessExponent),
            StalenessFunction.Hinge => staleness <= options.HingeOffset ? 1.0 : 1.0 / ((options.StalenessExponent * (staleness - options.HingeOffset)) + 1.0),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Staleness, "unknown staleness function"),
        };
    }
}
