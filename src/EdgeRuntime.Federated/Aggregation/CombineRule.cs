namespace EdgeRuntime.Federated.Aggregation;

/// <summary>How the buffered deltas become one.</summary>
public enum CombineRule
{
    /// <summary>Σ nᵢ·s(τᵢ)·Δᵢ / Σ nᵢ (nᵢ: the update's examples, s: its staleness weight). Exact across aggregators (fixed-point partial sums).</summary>
    Mean,

    /// <summary>Coordinate-wise β-trimmed mean of s(τᵢ)·Δᵢ: per coordinate, drop the ⌊βn⌋ largest and smallest values and average the rest (Yin et al. 2018).</summary>
    TrimmedMean,

    /// <summary>Coordinate-wise median of s(τᵢ)·Δᵢ (Yin et al. 2018).</summary>
    Median,
}
