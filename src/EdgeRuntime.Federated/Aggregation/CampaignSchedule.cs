namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// A rate over a federated campaign of known length, as central training's cosine runs over its epochs. Pure.
/// </summary>
public static class CampaignSchedule
{
    /// <summary>
    /// <paramref name="rate"/> · ½(1 + cos(π · min(t, n) / n)) after <paramref name="t"/> versions of a campaign of
    /// <paramref name="n"/>: the full rate at the first version, half at n/2, 0 from version n on; n ≤ 0 keeps the
    /// rate constant.
    /// </summary>
    public static double Cosine(double rate, long t, int n)
    {
        if (n <= 0)
        {
            return rate;
        }

        var progress = Math.Clamp(t, 0, n) / (double)n;
        return rate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
