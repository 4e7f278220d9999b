using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeRuntime.Testing.Fuzzing;

/// <summary>What a fuzzing run found.</summary>
/// <param name="Tried">Graphs generated and checked.</param>
/// <param name="Agreed">Optimised at every level and agreeing everywhere.</param>
/// <param name="Refused">Refused in one line as they must be.</param>
/// <param name="Disagreements">Optimised models that disagree, refused valid models, passes verification had to drop.</param>
/// <param name="Crashes">Exceptions other than a one-line refusal.</param>
/// <param name="Invalid">Models ONNX Runtime itself cannot run (generator or ONNX Runtime bugs, not the optimiser's).</param>
/// <param name="Productions">How many graphs used each grammar production.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record FuzzSummary(
    int Tried,
    int Agreed,
    int Refused,
    IReadOnlyList<FuzzOutcome> Disagreements,
    IReadOnlyList<FuzzOutcome> Crashes,
    IReadOnlyList<FuzzOutcome> Invalid,
    IReadOnlyDictionary<string, int> Productions,
    TimeSpan Elapsed);

/// <summary>Checks the graphs of seeds <c>first … first + count − 1</c>, on several threads.</summary>
public static class FuzzCampaign
{
    /// <summary>Runs the campaign; <paramref name="onOutcome"/> sees every outcome as it comes (from any thread).</summary>
    public static FuzzSummary Run(int firstSeed, int count, int workers, Action<FuzzOutcome>? onOutcome = null, CancellationToken cancellationToken = default)
    {
        var outcomes = new ConcurrentBag<FuzzOutcome>();
        var watch = Stopwatch.StartNew();
        Parallel.For(firstSeed, firstSeed + count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers), CancellationToken = cancellationToken }, seed =>
        {
            FuzzOutcome outcome;
            try
            {
                outcome = DifferentialFuzzer.Check(seed, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcome = new FuzzOutcome(seed, FuzzVerdict.Crash, $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }

            outcomes.Add(outcome);
            onOutcome?.Invoke(outcome);
        });

        var all = outcomes.OrderBy(o => o.Seed).ToList();
        var productions = all.SelectMany(o => o.Features).GroupBy(f => f, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new FuzzSummary(
            all.Count,
            all.Count(o => o.Verdict == FuzzVerdict.Agreed),
            all.Count(o => o.Verdict == FuzzVerdict.Refused),
            [.. all.Where(o => o.Verdict == FuzzVerdict.Disagreement)],
            [.. all.Where(o => o.Verdict == FuzzVerdict.Crash)],
            [.. all.Where(o => o.Verdict == FuzzVerdict.Invalid)],
            productions,
            watch.Elapsed);
    }
}
