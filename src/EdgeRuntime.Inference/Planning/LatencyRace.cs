using System.Diagnostics;

namespace EdgeRuntime.Inference.Planning;

/// <summary>One contestant's timings from a <see cref="LatencyRace"/>.</summary>
/// <param name="MedianMilliseconds">Median of its runs.</param>
/// <param name="Q1Milliseconds">25th percentile.</param>
/// <param name="Q3Milliseconds">75th percentile.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="StoppedAtRound">The round after which it was stopped as a clear loser; null when it ran to the end.</param>
public sealed record RaceTiming(double MedianMilliseconds, double Q1Milliseconds, double Q3Milliseconds, int Runs, int? StoppedAtRound);

/// <summary>
/// Times several contestants on a shared machine fairly: after warm-up, in rounds, each contestant runs a short burst in
/// turn (the order rotates every round), so all of them see the same machine noise; medians, not means. A contestant
/// whose 25th percentile is slower than the leader's median by more than <see cref="LoserMargin"/> after
/// <see cref="MinimumRounds"/> rounds is stopped (a clear loser). The race ends when every remaining contestant has
/// <see cref="TargetRuns"/> runs, or the budget is spent (after at least one round).
/// </summary>
public sealed class LatencyRace
{
    /// <summary>Untimed runs of each contestant first (caches, allocations, thread pools). Default 3.</summary>
    public int WarmupRuns { get; init; } = 3;

    /// <summary>Rounds before anyone may be stopped. Default 3.</summary>
    public int MinimumRounds { get; init; } = 3;

    /// <summary>Timed runs each remaining contestant should have. Default 40.</summary>
    public int TargetRuns { get; init; } = 40;

    /// <summary>How much slower (relative) a contestant's fast quartile must be than the leader's median to be stopped. Default 0.25.</summary>
    public double LoserMargin { get; init; } = 0.25;

    /// <summary>About how long one burst lasts (tiny models run several times per burst). Default 15 ms.</summary>
    public double BurstMilliseconds { get; init; } = 15;

    /// <summary>
    /// Idle time before each burst. ONNX Runtime's intra-op workers spin for a while after a run before they block; without
    /// a gap, one contestant's spinning workers would take cores from the next one's run, which a session serving alone
    /// never meets. Default 3 ms.
    /// </summary>
    public TimeSpan IdleGap { get; init; } = TimeSpan.FromMilliseconds(3);

    /// <summary>Races <paramref name="contestants"/> (each runs one inference) within <paramref name="budget"/>.</summary>
    public IReadOnlyList<RaceTiming> Run(IReadOnlyList<Action> contestants, TimeSpan budget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contestants);
        var started = Stopwatch.GetTimestamp();
        var samples = contestants.Select(_ => new List<double>()).ToList();
        var bursts = new int[contestants.Count];
        for (var c = 0; c < contestants.Count; c++)
        {
            for (var i = 0; i < WarmupRuns; i++)
            {
                contestants[c]();
            }

            var once = Time(contestants[c]);
            bursts[c] = Math.Clamp((int)Math.Ceiling(BurstMilliseconds / Math.Max(once, 1e-3)), 1, 1000);
        }

        var stopped = new int?[contestants.Count];
        var lastRound = TimeSpan.Zero;
        for (var round = 0; ; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var alive = Enumerable.Range(0, contestants.Count).Where(c => stopped[c] is null).ToList();

            // One round always runs, however little budget is left: every contestant then has a median to compare.
            // After that a round starts only when one as long as the last still ends within the budget.
            if (alive.Count == 0 || (round > 0 && Stopwatch.GetElapsedTime(started) + lastRound > budget) || (round >= MinimumRounds && alive.All(c => samples[c].Count >= TargetRuns)))
            {
                break;
            }

            var roundStarted = Stopwatch.GetTimestamp();
            for (var k = 0; k < alive.Count; k++)
            {
                var c = alive[(k + round) % alive.Count];
                Idle(IdleGap);
                for (var i = 0; i < bursts[c]; i++)
                {
                    samples[c].Add(Time(contestants[c]));
                }
            }

            lastRound = Stopwatch.GetElapsedTime(roundStarted);
            if (round + 1 >= MinimumRounds && alive.Count > 1)
            {
                var leader = alive.Min(c => Quantile(samples[c], 0.5));
                foreach (var c in alive.Where(c => Quantile(samples[c], 0.25) > leader * (1 + LoserMargin)))
                {
                    stopped[c] = round + 1;
                }
            }
        }

        return [.. samples.Select((s, c) => new RaceTiming(Quantile(s, 0.5), Quantile(s, 0.25), Quantile(s, 0.75), s.Count, stopped[c]))];
    }

    /// <summary>The <paramref name="q"/> quantile (linear between order statistics); NaN for no values.</summary>
    public static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    /// <summary>Waits without using a core (the system clock's timer; nothing here is simulated time).</summary>
    internal static void Idle(TimeSpan gap)
    {
        if (gap > TimeSpan.Zero)
        {
            Task.Delay(gap, TimeProvider.System).GetAwaiter().GetResult();
        }
    }

    private static double Time(Action run)
    {
        var start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
