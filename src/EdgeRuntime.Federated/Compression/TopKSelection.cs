namespace EdgeRuntime.Federated.Compression;

/// <summary>
/// Top-k sparsification (Aji &amp; Heafield 2017; with error feedback, Stich et al. 2018, "Sparsified SGD with
/// memory"): keep the k values of largest magnitude, in index order. Ties at the threshold are broken by lower index.
/// </summary>
public static class TopKSelection
{
    /// <summary>The indices of the <paramref name="k"/> largest |values|, ascending.</summary>
    public static int[] Select(ReadOnlySpan<float> values, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        k = Math.Min(k, values.Length);
        if (k == 0)
        {
            return [];
        }

        if (k == values.Length)
        {
            return [.. Enumerable.Range(0, k)];
        }

        // The k-th largest magnitude by selection on a copy, then a stable pass that takes everything above it and
        // as many equal to it (lowest indices first) as are still needed.
        var magnitudes = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            magnitudes[i] = Math.Abs(values[i]);
        }

        var sorted = (float[])magnitudes.Clone();
        Array.Sort(sorted);
        var threshold = sorted[values.Length - k];
        var above = 0;
        foreach (var m in magnitudes)
        {
            if (m > threshold)
            {
                above++;
            }
        }

        var equalNeeded = k - above;
        var chosen = new int[k];
        var n = 0;
        for (var i = 0; i < magnitudes.Length && n < k; i++)
        {
            if (magnitudes[i] > threshold || (magnitudes[i] == threshold && equalNeeded-- > 0))
            {
                chosen[n++] = i;
            }
        }

        return chosen;
    }
}
