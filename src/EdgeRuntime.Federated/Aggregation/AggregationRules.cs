namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// The combination rules (<see cref="CombineRule"/>) as pure functions of what is buffered, the version being made
/// and the options. Staleness τ of an update = the current version − its base; groups or updates past
/// <see cref="AggregationOptions.MaxStaleness"/> must have been removed by the caller (they expire).
/// </summary>
public static class AggregationRules
{
    /// <summary>
    /// The mean rule: Δ̄ = Σ_g s(τ_g)·S_g / Σ_g W_g over the groups g by base version (S_g = Σ nᵢΔᵢ, W_g = Σ nᵢ) — the
    /// FedBuff form, which divides by the examples rather than by Σ s, so stale updates shorten the step. With every
    /// update at τ = 0 it is FedAvg's example-weighted mean (McMahan et al. 2017).
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing is buffered.</exception>
    public static float[] Mean(PartialSums sums, long currentVersion, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(sums);
        ArgumentNullException.ThrowIfNull(options);
        var totalWeight = sums.Groups.Values.Sum(g => (double)g.Weight);
        if (sums.Count == 0 || totalWeight <= 0)
        {
            throw new InvalidOperationException("no updates to combine");
        }

        var result = new double[sums.Length];
        foreach (var (version, group) in sums.Groups)
        {
            var s = StalenessWeights.Of(Math.Max(0, currentVersion - version), options);
            for (var i = 0; i < result.Length; i++)
            {
                result[i] += s * PartialSums.ToDouble(group.Sum[i]);
            }
        }

        var delta = new float[result.Length];
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = (float)(result[i] / totalWeight);
        }

        return delta;
    }

    /// <summary>
    /// The coordinate-wise robust rules (Yin et al. 2018, "Byzantine-robust distributed learning"): each update scaled by
    /// s(τᵢ), then per coordinate the median, or the mean of what is left after dropping the ⌊β·n⌋ smallest and largest
    /// values. Unweighted by examples: a weight would let an attacker buy influence by claiming many.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing is buffered.</exception>
    public static float[] Robust(IReadOnlyList<BufferedDelta> updates, long currentVersion, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(options);
        if (updates.Count == 0)
        {
            throw new InvalidOperationException("no updates to combine");
        }

        var n = updates.Count;
        var length = updates[0].Delta.Length;
        var weights = updates.Select(u => StalenessWeights.Of(Math.Max(0, currentVersion - u.BaseVersion), options)).ToArray();
        var trim = options.Combine == CombineRule.TrimmedMean ? (int)Math.Floor(options.TrimFraction * n) : 0;
        if (options.Combine == CombineRule.TrimmedMean && n - (2 * trim) < 1)
        {
            trim = (n - 1) / 2;
        }

        var column = new double[n];
        var delta = new float[length];
        for (var j = 0; j < length; j++)
        {
            for (var i = 0; i < n; i++)
            {
                column[i] = weights[i] * updates[i].Delta[j];
            }

            Array.Sort(column);
            if (options.Combine == CombineRule.Median)
            {
                delta[j] = (float)(n % 2 == 1 ? column[n / 2] : 0.5 * (column[(n / 2) - 1] + column[n / 2]));
            }
            else
            {
                var sum = 0.0;
                for (var i = trim; i < n - trim; i++)
                {
                    sum += column[i];
                }

                delta[j] = (float)(sum / (n - (2 * trim)));
            }
        }

        return delta;
    }
}
