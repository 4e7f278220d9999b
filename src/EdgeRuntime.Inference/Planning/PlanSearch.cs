using System.Diagnostics;
using System.Globalization;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// The measured plan search: which settings run this model fastest on this device with outputs that still match the
/// float32 original. Candidates are <see cref="PlanSettings"/> over provider × ONNX Runtime level × our optimiser's level
/// × precision × intra-op threads × spinning, searched in two stages so the budget holds: (1) every graph and precision
/// variant at ONNX Runtime's all and extended levels with default threads; (2) for the best
/// <see cref="PlanSearchOptions.Finalists"/> of those, threads 1..cores × spinning on/off. ONNX Runtime's default
/// session on the original is a contestant in both, so the result is never slower than it. Each candidate's session is
/// built from its settings and first checked on the verification inputs against the original (ONNX Runtime without
/// graph rewrites, on the CPU) — a candidate outside its precision's tolerance is never chosen however fast — then raced
/// (<see cref="LatencyRace"/>). The lowest score (median × (1 + λ·error)) wins, and is confirmed against the default in
/// interleaved pairs (<see cref="PairedComparison"/>): if it is not faster there, the default is kept.
/// </summary>
public sealed class PlanSearch(PlanSearchOptions options, DeviceProfile device, Action<string>? progress = null)
{
    // Shares of the budget: building variants, stage 1, stage 2; the rest confirms.
    private const double BuildShare = 0.35;
    private const double StageOneShare = 0.30;
    private const double StageTwoShare = 0.25;

    /// <summary>Searches; returns the chosen plan with its model and report.</summary>
    /// <exception cref="OnnxFormatException">The model cannot be read.</exception>
    /// <exception cref="VerificationException">ONNX Runtime cannot run the original on the verification inputs.</exception>
    public PlanResult Run(PlanRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var budget = options.Budget;
        var original = File.ReadAllBytes(request.ModelPath);
        var model = OnnxModelReader.Read(original, Path.GetFileName(request.ModelPath), Path.GetDirectoryName(Path.GetFullPath(request.ModelPath)));
        var samples = Samples(request, model);
        var expected = Reference(original, samples);

        var builder = new GraphVariants(request, options, device, progress);
        var variants = builder.Build(original, budget * BuildShare, clock, cancellationToken);
        var notes = new List<string>(builder.Notes);
        var reports = new List<CandidateReport>();
        var variantOf = new Dictionary<PlanSettings, GraphVariant>();

        // Stage 1: graph × precision × ONNX Runtime level, default threads.
        var stageOne = new List<PlanSettings> { PlanSettings.RuntimeDefault };
        variantOf[PlanSettings.RuntimeDefault] = variants[0];
        // Every graph and precision at ONNX Runtime's full level first: when the budget runs short, the sessions left
        // unbuilt are the extended-level twins, not whole precisions.
        foreach (var level in new[] { RuntimeGraphLevel.All, RuntimeGraphLevel.Extended })
        {
            foreach (var variant in variants)
            {
                var settings = new PlanSettings(request.Provider, level, variant.OptimizerLevel, [], variant.Precision, 0, true);
                if (variantOf.TryAdd(settings, variant))
                {
                    stageOne.Add(settings);
                }
            }
        }

        progress?.Invoke($"stage 1: {stageOne.Count} graph, precision and ONNX Runtime level candidates");
        var first = Race(1, stageOne, variantOf, samples, expected, budget * (BuildShare + StageOneShare) - clock.Elapsed, reports, cancellationToken);

        // Stage 2: threads × spinning for the finalists (the default races again as the reference).
        var finalists = first.Where(r => r.Outcome is CandidateOutcome.Slower && r.Score is not null).OrderBy(r => r.Score).Take(options.Finalists).Select(r => r.Settings).ToList();
        var stageTwo = new List<PlanSettings> { PlanSettings.RuntimeDefault };
        foreach (var finalist in finalists)
        {
            if (!stageTwo.Contains(finalist))
            {
                stageTwo.Add(finalist);
            }

            foreach (var threads in Enumerable.Range(1, Math.Max(1, device.Cores)))
            {
                foreach (var spinning in new[] { true, false })
                {
                    var settings = finalist with { IntraOpThreads = threads, Spinning = spinning };
                    if (!stageTwo.Contains(settings))
                    {
                        variantOf.TryAdd(settings, variantOf[finalist]);
                        stageTwo.Add(settings);
                    }
                }
            }
        }

        progress?.Invoke($"stage 2: threads and spinning of {finalists.Count} finalist(s), {stageTwo.Count} candidates");
        var stageTwoEnd = budget * (BuildShare + StageOneShare + StageTwoShare);
        var reserve = ConfirmationReserve(first, finalists.FirstOrDefault());
        if (budget - reserve < stageTwoEnd)
        {
            stageTwoEnd = budget - reserve;
        }

        List<CandidateReport> last;
        if (stageTwoEnd - clock.Elapsed <= TimeSpan.Zero)
        {
            // A slow model on a busy machine: building and stage 1 took stage 2's share; stage 1's race decides.
            notes.Add("stage 2 (threads and spinning) not run: building the candidates and stage 1 used its share of the budget");
            last = first;
        }
        else
        {
            last = Race(2, stageTwo, variantOf, samples, expected, stageTwoEnd - clock.Elapsed, reports, cancellationToken);
        }

        // The winner: lowest score within tolerance in the last race (the default is in it, so there always is one).
        var winner = last.Where(r => r.Outcome == CandidateOutcome.Slower && r.Score is { } score && double.IsFinite(score)).OrderBy(r => r.Score).FirstOrDefault()?.Settings ?? PlanSettings.RuntimeDefault;
        LatencyRatio? versus = null;
        if (!winner.IsRuntimeDefault)
        {
            progress?.Invoke($"confirming {winner.Describe()} against ONNX Runtime's default in interleaved pairs");
            versus = Confirm(variantOf[winner], winner, original, samples[0], budget - clock.Elapsed - Creation(reports, winner), cancellationToken);
            if (versus.Median >= 1.0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"{winner.Describe()} was not faster than ONNX Runtime's default in the confirming pairs (ratio {versus.Median:0.000}); the default is kept"));
                winner = PlanSettings.RuntimeDefault;
            }
        }

        notes.AddRange(PrecisionNotes(reports));
        var final = Finish(reports, winner);
        var report = new PlanReport(request.ModelPath, device, budget.TotalSeconds, clock.Elapsed.TotalSeconds, winner, winner.IsRuntimeDefault ? null : versus, final, notes);
        return new PlanResult(winner, variantOf[winner].Model, report);
    }

    private List<CandidateReport> Race(int stage, List<PlanSettings> candidates, Dictionary<PlanSettings, GraphVariant> variantOf, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> samples, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> expected, TimeSpan budget, List<CandidateReport> reports, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var sessions = new List<(PlanSettings Settings, ModelSession Session, AccuracyResult Accuracy, double Seconds)>();
        var results = new List<CandidateReport>();
        try
        {
            foreach (var settings in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (started.Elapsed > budget * 0.5 && sessions.Count >= 2)
                {
                    results.Add(Untimed(stage, settings, null, null, CandidateOutcome.NotMeasured, "the budget ran out before its session was built"));
                    continue;
                }

                var watch = Stopwatch.StartNew();
                ModelSession? session = null;
                try
                {
                    session = ModelSession.Create(variantOf[settings].Model, SessionSettings.For(settings));
                    var seconds = watch.Elapsed.TotalSeconds;
                    var actual = samples.Select(s => (IReadOnlyDictionary<string, Tensor>)session.Run(Feed(session, s), [.. expected[0].Keys])).ToList();
                    var accuracy = AccuracyCheck.Compare(expected, actual, settings.Precision, options.Tolerance);
                    if (!accuracy.WithinTolerance)
                    {
                        results.Add(Untimed(stage, settings, accuracy, seconds, CandidateOutcome.OutsideTolerance, accuracy.Problem!));
                        session.Dispose();
                        continue;
                    }

                    sessions.Add((settings, session, accuracy, seconds));
                    session = null;
                }
                catch (OnnxRuntimeException ex)
                {
                    results.Add(Untimed(stage, settings, null, null, CandidateOutcome.Failed, ex.Message.ReplaceLineEndings(" ")));
                }
                finally
                {
                    session?.Dispose();
                }
            }

            var feed = samples[0];
            var feeds = sessions.Select(s => Feed(s.Session, feed)).ToList();
            var race = new LatencyRace();
            var timings = race.Run([.. sessions.Select<(PlanSettings, ModelSession Session, AccuracyResult, double), Action>((s, i) => () => s.Session.Run(feeds[i]))], budget - started.Elapsed, cancellationToken);
            for (var i = 0; i < sessions.Count; i++)
            {
                var (settings, _, accuracy, seconds) = sessions[i];
                var t = timings[i];
                if (t.Runs == 0)
                {
                    results.Add(Untimed(stage, settings, accuracy, seconds, CandidateOutcome.NotMeasured, "the budget ran out before it was timed"));
                    continue;
                }

                var score = t.MedianMilliseconds * (1 + (options.Lambda * accuracy.Error));
                var outcome = t.StoppedAtRound is { } round ? CandidateOutcome.StoppedEarly : CandidateOutcome.Slower;
                var reason = t.StoppedAtRound is { } r ? $"stopped after round {r}: its fast quartile was over {race.LoserMargin:P0} slower than the leader's median" : "measured to the end";
                results.Add(new CandidateReport(stage, settings.Describe(), settings, t.MedianMilliseconds, t.Q1Milliseconds, t.Q3Milliseconds, t.Runs, score, accuracy.MaxRelativeError, accuracy.MinCosine, accuracy.MeanCosine, seconds, outcome, reason));
            }
        }
        finally
        {
            foreach (var (_, session, _, _) in sessions)
            {
                session.Dispose();
            }
        }

        reports.AddRange(results);
        return results;
    }

    private LatencyRatio Confirm(GraphVariant variant, PlanSettings settings, byte[] original, IReadOnlyDictionary<string, Tensor> sample, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var candidate = ModelSession.Create(variant.Model, SessionSettings.For(settings));
        using var baseline = ModelSession.Create(original, SessionSettings.For(PlanSettings.RuntimeDefault));
        var candidateFeed = Feed(candidate, sample);
        var baselineFeed = Feed(baseline, sample);
        return PairedComparison.Measure(() => candidate.Run(candidateFeed), () => baseline.Run(baselineFeed), pairs: 21, budget: budget, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Time to keep for the confirming pairs, so the whole search ends within its budget also for slow models: both
    /// sessions built again (as long as they took in stage 1) plus the least <see cref="PairedComparison"/> does — 3
    /// warm-up pairs, one timing pair and 3 pairs of 3-run bursts, 13 runs of each side — at the stage-1 medians, with
    /// a quarter more for the noise of a shared machine; never less than a tenth of the budget.
    /// </summary>
    private TimeSpan ConfirmationReserve(List<CandidateReport> stageOne, PlanSettings? leader)
    {
        var floor = options.Budget * (1 - BuildShare - StageOneShare - StageTwoShare);
        var baseline = stageOne.FirstOrDefault(r => r.Settings.IsRuntimeDefault && r.MedianMilliseconds is not null);
        var best = leader is null ? null : stageOne.FirstOrDefault(r => r.Settings.Equals(leader) && r.MedianMilliseconds is not null);
        if (baseline is null || best is null)
        {
            return floor;
        }

        var seconds = (baseline.SessionSeconds ?? 0) + (best.SessionSeconds ?? 0) + (13 * (baseline.MedianMilliseconds!.Value + best.MedianMilliseconds!.Value) / 1000);
        var reserve = TimeSpan.FromSeconds(seconds * 1.25);
        return reserve > floor ? reserve : floor;
    }

    /// <summary>How long the winner's and the default's sessions took to build when they were raced: the confirmation builds both again.</summary>
    private static TimeSpan Creation(List<CandidateReport> reports, PlanSettings winner) =>
        TimeSpan.FromSeconds((reports.LastOrDefault(r => r.Settings.Equals(winner))?.SessionSeconds ?? 0) + (reports.LastOrDefault(r => r.Settings.IsRuntimeDefault)?.SessionSeconds ?? 0));

    /// <summary>Marks the winner and words why each other candidate lost.</summary>
    private static List<CandidateReport> Finish(List<CandidateReport> reports, PlanSettings winner)
    {
        var chosenIndex = reports.FindLastIndex(r => r.Settings.Equals(winner) && r.MedianMilliseconds is not null);
        var chosen = chosenIndex >= 0 ? reports[chosenIndex] : null;
        return [.. reports.Select((r, i) => i == chosenIndex
            ? r with { Outcome = CandidateOutcome.Chosen, Reason = "lowest score within tolerance" }
            : r.Outcome == CandidateOutcome.Slower && chosen?.Score is { } best && r.Score is { } score
                ? r with { Reason = string.Create(CultureInfo.InvariantCulture, $"score {score / best:0.00}× the chosen plan's{(r.Stage != chosen.Stage ? " (other race)" : string.Empty)}") }
                : r)];
    }

    /// <summary>Says so when int8 lost to float32 on this machine, with the instruction sets that explain it.</summary>
    private IEnumerable<string> PrecisionNotes(List<CandidateReport> reports)
    {
        var fp32 = reports.Where(r => r.Settings.Precision == PlanPrecision.Fp32 && r.MedianMilliseconds is not null && r.Stage == 1).MinBy(r => r.MedianMilliseconds);
        var int8 = reports.Where(r => r.Settings.Precision == PlanPrecision.Int8Dynamic && r.MedianMilliseconds is not null && r.Stage == 1).MinBy(r => r.MedianMilliseconds);
        if (fp32?.MedianMilliseconds is { } f && int8?.MedianMilliseconds is { } q)
        {
            var isa = device.HasInt8DotProduct ? "the CPU has int8 dot products (VNNI)" : "the CPU has no VNNI (int8 through AVX2's saturating u8s8 path)";
            yield return q < f
                ? string.Create(CultureInfo.InvariantCulture, $"int8-dynamic is {f / q:0.00}× faster than the best fp32 at default threads; {isa}")
                : string.Create(CultureInfo.InvariantCulture, $"int8-dynamic is slower than fp32 here ({q:0.###} ms vs {f:0.###} ms); fp32 is kept; {isa}");
        }
    }

    private static CandidateReport Untimed(int stage, PlanSettings settings, AccuracyResult? accuracy, double? seconds, CandidateOutcome outcome, string reason) =>
        new(stage, settings.Describe(), settings, null, null, null, 0, null, accuracy?.MaxRelativeError, accuracy?.MinCosine, accuracy?.MeanCosine, seconds, outcome, reason);

    private List<IReadOnlyDictionary<string, Tensor>> Samples(PlanRequest request, Graph.Ir.Model model)
    {
        var samples = new List<IReadOnlyDictionary<string, Tensor>>(request.RecordedSamples);
        for (var seed = 0; seed < Math.Max(samples.Count == 0 ? 1 : 0, options.RandomSamples); seed++)
        {
            samples.Add(InputGenerator.Generate(model, seed + 1, request.Shapes, request.FixedInputs));
        }

        return samples;
    }

    /// <summary>The original's outputs: float32, ONNX Runtime without graph rewrites, on the CPU.</summary>
    private static List<IReadOnlyDictionary<string, Tensor>> Reference(byte[] original, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> samples)
    {
        try
        {
            using var session = ModelSession.Create(original, SessionSettings.For(PlanSettings.RuntimeDefault with { RuntimeLevel = RuntimeGraphLevel.Disabled }));
            return [.. samples.Select(s => (IReadOnlyDictionary<string, Tensor>)session.Run(Feed(session, s)))];
        }
        catch (OnnxRuntimeException ex)
        {
            throw new VerificationException($"ONNX Runtime cannot run the original model on the verification inputs ({ex.Message.ReplaceLineEndings(" ")}); give --shape for free dimensions or --sample with recorded inputs");
        }
    }

    private static Dictionary<string, Tensor> Feed(ModelSession session, IReadOnlyDictionary<string, Tensor> sample) =>
        sample.Where(i => session.InputNames.Contains(i.Key)).ToDictionary();
}
