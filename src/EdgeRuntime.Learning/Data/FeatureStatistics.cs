using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Learning.Data;

/// <summary>Per-metric mean and standard deviation over a set of samples, for a feature spec's normalisation.</summary>
public static class FeatureStatistics
{
    /// <summary>
    /// Mean and population standard deviation of each of <paramref name="metrics"/> over <paramref name="samples"/>
    /// (absent values skipped; a metric never seen, or constant, gets mean 0 / deviation 1 so normalising is a no-op).
    /// Accumulated in double with Welford's update (Welford 1962), stable for long recordings.
    /// </summary>
    public static (List<double> Mean, List<double> Std) Fit(IReadOnlyList<string> metrics, IEnumerable<IntervalSample> samples)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(samples);
        var n = new long[metrics.Count];
        var mean = new double[metrics.Count];
        var m2 = new double[metrics.Count];
        foreach (var sample in samples)
        {
            for (var i = 0; i < metrics.Count; i++)
            {
                if (sample.Values.TryGetValue(metrics[i], out var x) && double.IsFinite(x))
                {
                    n[i]++;
                    var delta = x - mean[i];
                    mean[i] += delta / n[i];
                    m2[i] += delta * (x - mean[i]);
                }
            }
        }

        var means = new List<double>(metrics.Count);
        var stds = new List<double>(metrics.Count);
        for (var i = 0; i < metrics.Count; i++)
        {
            var std = n[i] > 1 ? Math.Sqrt(m2[i] / n[i]) : 0;
            means.Add(n[i] > 0 ? mean[i] : 0);
            stds.Add(std > 1e-9 ? std : 1);
        }

        return (means, stds);
    }
}
