namespace EdgeRuntime.Federated.Simulation;

/// <summary>
/// How long a simulated device's local round takes: a median <see cref="Median"/> times a log-normal factor
/// exp(σ·N(0,1)) (device round times are heavy-tailed; Bonawitz et al. 2019, "Towards federated learning at scale"),
/// times a fixed slowness factor for the slow devices (drawn once per device, uniform in [<see cref="SlowFactorMin"/>,
/// <see cref="SlowFactorMax"/>]). Pure given its random source.
/// </summary>
/// <param name="Median">The median round of a normal device.</param>
/// <param name="Sigma">σ of the log-normal factor.</param>
/// <param name="SlowShare">Share of devices that are slow.</param>
/// <param name="SlowFactorMin">Slowest factor's lower bound.</param>
/// <param name="SlowFactorMax">…and upper bound.</param>
/// <param name="Upload">Time to send an update and hear the receipt.</param>
public sealed record RoundLatency(TimeSpan Median, double Sigma = 0.3, double SlowShare = 0, double SlowFactorMin = 5, double SlowFactorMax = 10, TimeSpan Upload = default)
{
    /// <summary>Each device's slowness factor (1 for normal devices), drawn with <paramref name="random"/>: the first ⌊share·n⌋ of a random permutation are slow.</summary>
    public double[] DrawFactors(int devices, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var factors = Enumerable.Repeat(1.0, devices).ToArray();
        var order = Enumerable.Range(0, devices).ToArray();
        random.Shuffle(order);
        var slow = (int)Math.Floor(SlowShare * devices);
        for (var i = 0; i < slow; i++)
        {
            factors[order[i]] = SlowFactorMin + (random.NextDouble() * (SlowFactorMax - SlowFactorMin));
        }

        return factors;
    }

    /// <summary>One round's duration for a device of slowness <paramref name="factor"/>.</summary>
    public TimeSpan Draw(double factor, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return (Median * (Math.Exp(Sigma * normal) * factor)) + Upload;
    }
}
