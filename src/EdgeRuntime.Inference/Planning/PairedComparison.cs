using System.Diagnostics;

namespace EdgeRuntime.Inference.Planning;

/// <summary>A ratio of two latencies measured in interleaved pairs.</summary>
/// <param name="Median">Median of the per-pair ratios (candidate / baseline).</param>
/// <param name="Low">Lowest per-pair ratio.</param>
/// <param name="High">Highest per-pair ratio.</param>
/// <param name="Pairs">How many pairs.</param>
/// <param name="CandidateMilliseconds">Median latency of the candidate over all its runs.</param>
/// <param name="BaselineMilliseconds">Median latency of the baseline over all its runs.</param>
public sealed record LatencyRatio(double Median, double Low, double High, int Pairs, double CandidateMilliseconds, double BaselineMilliseconds);

/// <summary>
/// Compares a candidate with a baseline on a shared machine: many short back-to-back pairs in alternating order, the
/// ratio of each pair's medians, reported as the median ratio with its range (a ratio of two medians taken a minute
/// apart measures the machine, not the models; tests/EdgeRuntime.Benchmarks' pipeline verb does the same).
/// </summary>
public static class PairedComparison
{
    /// <summary>Measures <paramref name="pairs"/> pairs, each side a burst of about <paramref name="burstMilliseconds"/>, stopping before a pair that would end past <paramref name="budget"/> (at least 3 pairs).</summary>
    public static LatencyRatio Measure(Action candidate, Action baseline, int pairs, TimeSpan budget, double burstMilliseconds = 25, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < 3; i++)
        {
            candidate();
            baseline();
        }

        var once = Math.Max(Time(candidate), Time(baseline));
        var burst = Math.Clamp((int)Math.Ceiling(burstMilliseconds / Math.Max(once, 1e-3)), 3, 1000);
        var ratios = new List<double>();
        var all = (Candidate: new List<double>(), Baseline: new List<double>());
        // A pair starts only when one more pair as long as the last still ends within the budget.
        var lastPair = TimeSpan.Zero;
        for (var p = 0; p < pairs && (p < 3 || Stopwatch.GetElapsedTime(started) + lastPair < budget); p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pairStarted = Stopwatch.GetTimestamp();
            List<double> c, b;
            if (p % 2 == 0)
            {
                c = Burst(candidate, burst);
                b = Burst(baseline, burst);
            }
            else
            {
                b = Burst(baseline, burst);
                c = Burst(candidate, burst);
            }

            all.Candidate.AddRange(c);
            all.Baseline.AddRange(b);
            ratios.Add(LatencyRace.Quantile(c, 0.5) / LatencyRace.Quantile(b, 0.5));
            lastPair = Stopwatch.GetElapsedTime(pairStarted);
        }

        return new LatencyRatio(LatencyRace.Quantile(ratios, 0.5), ratios.Min(), ratios.Max(), ratios.Count, LatencyRace.Quantile(all.Candidate, 0.5), LatencyRace.Quantile(all.Baseline, 0.5));
    }

    private static List<double> Burst(Action run, int count)
    {
        var times = new List<double>(count);
        LatencyRace.Idle(TimeSpan.FromMilliseconds(3));
        for (var i = 0; i < count; i++)
        {
            times.Add(Time(run));
        }

        return times;
    }

    private static double Time(Action run)
    {
        var start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
