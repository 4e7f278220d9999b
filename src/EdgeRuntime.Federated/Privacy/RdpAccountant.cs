namespace EdgeRuntime.Federated.Privacy;

/// <summary>
/// Rényi-differential-privacy accounting of the Gaussian mechanism (Mironov 2017, "Rényi Differential Privacy"), the
/// accountant of TensorFlow Privacy and Opacus without subsampling. A release of an L2-clipped update (bound C) with
/// noise N(0, (zC)²) per coordinate is (α, α / (2z²))-RDP for every order α &gt; 1; RDP composes by adding, so T
/// releases with multipliers z₁…z_T cost Σ α / (2zᵢ²) at order α. The (ε, δ) guarantee is the best over the orders of
/// the conversion of Balle et al. 2020 ("Hypothesis testing interpretations and Rényi DP", Thm 21; also Canonne,
/// Kamath &amp; Steinke 2020, Prop 12):
/// <code>ε(δ) = min over α of  RDP(α) + log((α − 1)/α) − (log δ + log α) / (α − 1)</code>
/// which is never worse than Mironov's RDP(α) + log(1/δ)/(α − 1). The unit is the whole device (a release covers all
/// the device's data), so ε is per device ("user-level", McMahan et al. 2018). Immutable; adding returns a new value.
/// </summary>
public sealed record RdpAccountant
{
    /// <summary>The orders tracked (Opacus's default grid, thinned).</summary>
    public static IReadOnlyList<double> Orders { get; } =
        [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 48, 64, 128, 256, 512, 1024];

    private RdpAccountant(double[] rdp, long releases)
    {
        Rdp = rdp;
        Releases = releases;
    }

    /// <summary>Nothing released yet.</summary>
    public static RdpAccountant Empty { get; } = new(new double[Orders.Count], 0);

    /// <summary>The accumulated RDP at each of <see cref="Orders"/>.</summary>
    public IReadOnlyList<double> Rdp { get; }

    /// <summary>Noisy releases accounted.</summary>
    public long Releases { get; }

    /// <summary>Restores an accountant from stored RDP values (one per order).</summary>
    /// <exception cref="ArgumentException">The values do not match <see cref="Orders"/>.</exception>
    public static RdpAccountant Restore(IReadOnlyList<double> rdp, long releases)
    {
        ArgumentNullException.ThrowIfNull(rdp);
        if (rdp.Count != Orders.Count || rdp.Any(r => !(r >= 0)) || releases < 0)
        {
            throw new ArgumentException($"stored privacy accounting has {rdp.Count} orders (expected {Orders.Count}) or negative values");
        }

        return new RdpAccountant([.. rdp], releases);
    }

    /// <summary>The accountant after one more Gaussian release with noise multiplier <paramref name="noiseMultiplier"/> (σ / C).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The multiplier is not positive (a release without noise has no finite ε).</exception>
    public RdpAccountant AddGaussianRelease(double noiseMultiplier)
    {
        if (!(noiseMultiplier > 0) || !double.IsFinite(noiseMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "a Gaussian release needs a positive noise multiplier");
        }

        var rdp = new double[Orders.Count];
        for (var i = 0; i < rdp.Length; i++)
        {
            rdp[i] = Rdp[i] + (Orders[i] / (2 * noiseMultiplier * noiseMultiplier));
        }

        return new RdpAccountant(rdp, Releases + 1);
    }

    /// <summary>The smallest ε for which the releases so far are (ε, <paramref name="delta"/>)-DP; 0 before any release.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not in (0, 1).</exception>
    public double Epsilon(double delta)
    {
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        }

        if (Releases == 0)
        {
            return 0;
        }

        var best = double.PositiveInfinity;
        for (var i = 0; i < Orders.Count; i++)
        {
            var alpha = Orders[i];
            var epsilon = Rdp[i] + Math.Log((alpha - 1) / alpha) - ((Math.Log(delta) + Math.Log(alpha)) / (alpha - 1));
            best = Math.Min(best, epsilon);
        }

        return Math.Max(0, best);
    }
}
