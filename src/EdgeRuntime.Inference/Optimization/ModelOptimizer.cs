using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Verification;

namespace EdgeRuntime.Inference.Optimization;

/// <summary>What to optimise and how.</summary>
public sealed record OptimizeRequest
{
    /// <summary>The ONNX file.</summary>
    public required string InputPath { get; init; }

    /// <summary>How hard to optimise. Default O3.</summary>
    public OptimizationLevel Level { get; init; } = OptimizationLevel.O3;

    /// <summary>Deployment shapes per input (binds free dimensions).</summary>
    public IReadOnlyDictionary<string, long[]> Shapes { get; init; } = new Dictionary<string, long[]>();

    /// <summary>
    /// The file at <see cref="InputPath"/> as the caller has already read it, so a large model is read once; the optimiser
    /// takes the model over (it binds the deployment shapes in it). Null: the optimiser reads the file.
    /// </summary>
    public OriginalModel? Original { get; init; }

    /// <summary>Outputs the deployment consumes; empty keeps all.</summary>
    public IReadOnlyList<string> KeepOutputs { get; init; } = [];

    /// <summary>
    /// Initializers the passes must keep by name, value and kind (the trainable parameters of on-device learning, so
    /// trained values can be written into the optimised model by name). See <see cref="PassContext.PreservedInitializers"/>.
    /// </summary>
    public IReadOnlyCollection<string> PreserveInitializers { get; init; } = [];

    /// <summary>Passes not to run.</summary>
    public IReadOnlyList<string> SkipPasses { get; init; } = [];

    /// <summary>Random input sets to verify on. Default 3.</summary>
    public int RandomSamples { get; init; } = 3;

    /// <summary>Recorded input sets to verify on as well (real data).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, Tensor>> RecordedSamples { get; init; } = [];

    /// <summary>Inputs with fixed values for random samples (e.g. a sample rate).</summary>
    public IReadOnlyDictionary<string, Tensor> FixedInputs { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>The execution target.</summary>
    public OptimizationTarget Target { get; init; } = OptimizationTarget.OnnxRuntimeCpu;

    /// <summary>Extra passes to run at the end of the level's list (tests; experiments).</summary>
    public IReadOnlyList<GraphPass> ExtraPasses { get; init; } = [];

    /// <summary>
    /// Also build verified variants (without shape specialisation, lower levels), time them against the original
    /// with the deployment settings, and keep the fastest. Fewer nodes and FLOPs are not always faster: a
    /// runtime's fused kernels can lose to its plain ones on a given CPU.
    /// </summary>
    public bool MeasureCandidates { get; init; }

    /// <summary>Timed runs per candidate when measuring. Default 30.</summary>
    public int MeasurementRuns { get; init; } = 30;

    /// <summary>
    /// Whether the deployment never feeds the initializers a model of IR 4 or later lists as inputs, so they may be
    /// frozen into constants (and folded, fused). Default false: from IR 4 on they are defaults a caller may override,
    /// so they stay inputs and verification feeds them perturbed values. Before IR 4 they are always frozen.
    /// </summary>
    public bool FreezeInitializerInputs { get; init; }

    /// <summary>What verification is told about the deployment (shapes, fixed and recorded inputs, kept outputs, freezing).</summary>
    public VerificationOptions VerificationOptions => new()
    {
        Shapes = Shapes,
        FixedInputs = FixedInputs,
        RecordedSamples = RecordedSamples,
        RandomSamples = RandomSamples,
        KeepOutputs = KeepOutputs,
        FreezeInitializerInputs = FreezeInitializerInputs,
    };
}

/// <summary>One verified variant the optimiser timed.</summary>
/// <param name="Label">What it is ("O3", "O3 without shape specialisation", "O2", …).</param>
/// <param name="Nodes">Its node count.</param>
/// <param name="MedianMilliseconds">Median latency with the deployment settings.</param>
/// <param name="Chosen">Whether it is the returned model.</param>
public sealed record MeasuredCandidate(string Label, int Nodes, double MedianMilliseconds, bool Chosen);

/// <summary>A pass the optimiser removed because the model failed verification (or the pass failed) with it.</summary>
/// <param name="Pass">The pass's name.</param>
/// <param name="Reason">What went wrong with it.</param>
/// <param name="Nodes">Nodes it had created or changed (where to look).</param>
public sealed record DroppedPass(string Pass, string Reason, IReadOnlyList<string> Nodes);

/// <summary>A verified optimised model.</summary>
/// <param name="Model">The ONNX bytes; they passed verification.</param>
/// <param name="Report">What each pass did.</param>
/// <param name="Verification">The comparison with the original.</param>
/// <param name="Dropped">Passes removed along the way, with the reason.</param>
public sealed record OptimizeResult(byte[] Model, OptimizationReport Report, VerificationReport Verification, IReadOnlyList<DroppedPass> Dropped)
{
    /// <summary>With measuring: every timed variant, the chosen one marked.</summary>
    public IReadOnlyList<MeasuredCandidate> Candidates { get; init; } = [];

    /// <summary>With measuring: the original's median latency, timed alongside the variants.</summary>
    public double? OriginalMilliseconds { get; init; }
}

/// <summary>
/// The optimiser: read (with guard rails) → passes → write → verify against ONNX Runtime on the original. On a
/// failed verification it bisects the pass list to the first pass whose inclusion breaks the model, drops that
/// pass, reports it with the nodes it touched, and tries again. It never returns a model that failed.
/// </summary>
public sealed class ModelOptimizer(Action<string>? progress = null)
{
    private const int MaxAttempts = 8;

    /// <summary>How much faster (relative) a less preferred variant must be to be kept instead.</summary>
    private const double NoiseMargin = 0.03;

    /// <summary>Optimises and verifies.</summary>
    /// <exception cref="OnnxFormatException">The file cannot be read.</exception>
    /// <exception cref="VerificationException">
    /// The model cannot be verified (an input or output that is not a tensor, or the original cannot run on the
    /// verification inputs); the message is one line.
    /// </exception>
    /// <exception cref="ArgumentException">A request setting is wrong (unknown pass, shape of the wrong rank, …).</exception>
    public OptimizeResult Optimize(OptimizeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (originalBytes, original) = request.Original is { } given ? (given.Bytes, given.Model) : ReadOriginal(request.InputPath);
        Graph.Passes.Restructuring.SpecializeShapes.BindSymbols(original, request.Shapes);
        var plan = NumericalVerifier.Prepare(originalBytes, request.VerificationOptions, cancellationToken);

        // The model read to check the shapes gives the original's cost too (a 90 MB model takes seconds to read again).
        return Optimize(request, plan, () => BaselineCost(request, original), cancellationToken);
    }

    private static (byte[] Bytes, Model Model) ReadOriginal(string path)
    {
        var model = OnnxModelReader.Read(path, out var bytes);
        return (bytes, model);
    }

    /// <summary>
    /// Optimises and verifies against a plan prepared once for the original (<see cref="NumericalVerifier.Prepare"/>
    /// with <see cref="OptimizeRequest.VerificationOptions"/>), so several requests on one model share the reference runs.
    /// </summary>
    /// <exception cref="VerificationException">No verified optimisation, or the unchanged model already fails verification.</exception>
    public OptimizeResult Optimize(OptimizeRequest request, VerificationPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        return Optimize(request, plan, () => BaselineCost(request, OnnxModelReader.Read(plan.Original, "baseline", Path.GetDirectoryName(Path.GetFullPath(request.InputPath)))), cancellationToken);
    }

    private OptimizeResult Optimize(OptimizeRequest request, VerificationPlan plan, Func<Graph.Cost.GraphCost> baselineCost, CancellationToken cancellationToken)
    {
        var passes = OptimizationPresets.For(request.Level, request.SkipPasses).Concat(request.ExtraPasses).ToList();
        var dropped = new List<DroppedPass>();
        progress?.Invoke($"verifying against ONNX Runtime on {plan.Samples.Count} input set(s){(plan.Skipped.Count > 0 ? $" ({plan.Skipped.Count} the original refused)" : string.Empty)}");

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var outcome = Attempt(request, passes, plan, cancellationToken);
            if (outcome.Result is { } result)
            {
                var baseline = baselineCost();
                result = result with { Dropped = dropped, Report = result.Report with { Before = baseline } };
                return request.MeasureCandidates ? ChooseFastest(request, result, passes, plan, cancellationToken) : result;
            }

            var culprit = outcome.FailedPass ?? Bisect(request, passes, plan, outcome.BeforeRunning, cancellationToken);
            var nodes = outcome.Report?.Passes.FirstOrDefault(p => p.Pass == culprit)?.TouchedNodes ?? [];
            dropped.Add(new DroppedPass(culprit, outcome.Failure!, [.. nodes.Take(20)]));
            progress?.Invoke($"dropped pass {culprit}: {outcome.Failure}{(nodes.Count > 0 ? $" (nodes {string.Join(", ", nodes.Take(5))})" : string.Empty)}");
            passes.RemoveAll(p => p.Name == culprit);
        }

        throw new VerificationException($"no verified optimisation after dropping {dropped.Count} passes ({string.Join(", ", dropped.Select(d => d.Pass))})");
    }

    private sealed record AttemptOutcome(OptimizeResult? Result, OptimizationReport? Report, string? Failure, string? FailedPass)
    {
        /// <summary>Whether it failed before any sample ran (structural check, or ONNX Runtime refusing to load it): cheap to repeat.</summary>
        public bool BeforeRunning { get; init; }
    }

    private AttemptOutcome Attempt(OptimizeRequest request, IReadOnlyList<GraphPass> passes, VerificationPlan plan, CancellationToken cancellationToken)
    {
        var model = OnnxModelReader.Read(plan.Original, Path.GetFileName(request.InputPath), Path.GetDirectoryName(Path.GetFullPath(request.InputPath)));
        OptimizationReport report;
        try
        {
            report = new PassManager(passes).Run(model, Context(request, progress), cancellationToken);
        }
        catch (PassManager.PassFailedException ex)
        {
            return new AttemptOutcome(null, null, ex.Message, ex.Pass);
        }

        var bytes = OnnxModelWriter.ToBytes(model);
        var verification = new NumericalVerifier().Verify(plan, bytes, cancellationToken);
        return verification.Passed
            ? new AttemptOutcome(new OptimizeResult(bytes, report, verification, []), report, null, null)
            : new AttemptOutcome(null, report, verification.Failure, null) { BeforeRunning = verification.FailedBeforeRunning };
    }

    /// <summary>Whether the model after <paramref name="passes"/> is well-formed and loads (no sample runs, no branch checks).</summary>
    private bool LoadsWellFormed(OptimizeRequest request, IReadOnlyList<GraphPass> passes, VerificationPlan plan, CancellationToken cancellationToken)
    {
        var model = OnnxModelReader.Read(plan.Original, Path.GetFileName(request.InputPath), Path.GetDirectoryName(Path.GetFullPath(request.InputPath)));
        try
        {
            new PassManager(passes).Run(model, Context(request, null), cancellationToken);
        }
        catch (PassManager.PassFailedException)
        {
            return false;
        }

        return new NumericalVerifier().LoadsWellFormed(plan, OnnxModelWriter.ToBytes(model));
    }

    /// <summary>Builds the alternative variants, verifies them, times all against the original, keeps the fastest.</summary>
    private OptimizeResult ChooseFastest(OptimizeRequest request, OptimizeResult requested, List<GraphPass> passes, VerificationPlan plan, CancellationToken cancellationToken)
    {
        var originalBytes = plan.Original;
        var candidates = new List<(string Label, OptimizeResult Result)> { ($"{request.Level}", requested) };
        var alternatives = new List<(string Label, OptimizeRequest Request, List<GraphPass> Passes)>();
        if (request.Shapes.Count > 0)
        {
            alternatives.Add(($"{request.Level} without shape specialisation", request with { Shapes = new Dictionary<string, long[]>() }, passes));
        }

        for (var level = request.Level - 1; level >= OptimizationLevel.O1; level--)
        {
            var lower = OptimizationPresets.For(level, request.SkipPasses).Where(p => passes.Any(q => q.Name == p.Name)).ToList();
            alternatives.Add(($"{level}", request, lower));
        }

        foreach (var (label, alternativeRequest, alternativePasses) in alternatives)
        {
            // The pass lines that follow belong to this variant, not to the requested level printed above them.
            progress?.Invoke($"variant {label}: rewriting and verifying");
            var outcome = Attempt(alternativeRequest, alternativePasses, plan, cancellationToken);
            if (outcome.Result is { } verified)
            {
                candidates.Add((label, verified));
            }
        }

        // The unchanged model competes too: if no rewrite is faster here, the optimiser keeps what it was given.
        progress?.Invoke("variant O0 (unchanged): verifying");
        var unchanged = Attempt(request, [], plan, cancellationToken);
        if (unchanged.Result is { } asGiven)
        {
            candidates.Add(("O0 (unchanged)", asGiven with { Report = asGiven.Report with { After = requested.Report.Before } }));
        }

        progress?.Invoke($"timing {candidates.Count} verified variant(s) against the original");
        var timings = LatencyProbe.Measure([originalBytes, .. candidates.Select(c => c.Result.Model)], plan.Samples[0].Inputs, new Runtime.SessionSettings(), request.MeasurementRuns);

        // Candidates are in order of preference (most optimised first). Another one is kept only when it is clearly
        // faster; within the margin the difference is machine noise, and the more optimised graph stays.
        var best = 0;
        for (var i = 1; i < candidates.Count; i++)
        {
            if (timings[i + 1] < timings[best + 1] * (1 - NoiseMargin))
            {
                best = i;
            }
        }

        var measured = candidates.Select((c, i) => new MeasuredCandidate(c.Label, c.Result.Report.After.Nodes, timings[i + 1], i == best)).ToList();
        var chosen = candidates[best].Result;
        return chosen with
        {
            Dropped = requested.Dropped,
            Report = chosen.Report with { Before = requested.Report.Before },
            Candidates = measured,
            OriginalMilliseconds = timings[0],
        };
    }

    /// <summary>The original's cost at the deployment shapes (the model as given may have free dimensions, which cost nothing known).</summary>
    private static Graph.Cost.GraphCost BaselineCost(OptimizeRequest request, Model model)
    {
        new Graph.Passes.Restructuring.SpecializeShapes().Run(model, Context(request, null));
        Graph.Shapes.ShapeInference.Run(model);
        return Graph.Cost.CostModel.Estimate(model);
    }

    /// <summary>
    /// The first pass p such that the list up to and including p fails (the list without p's prefix passing). A failure
    /// before any sample ran (the structural check, or ONNX Runtime refusing the file) is bisected on those checks alone:
    /// it finds the pass that broke the file without running samples and branch checks at every step.
    /// </summary>
    private string Bisect(OptimizeRequest request, List<GraphPass> passes, VerificationPlan plan, bool beforeRunning, CancellationToken cancellationToken)
    {
        // Bisection assumes the model without any pass verifies; when it does not, no pass is to blame.
        if (beforeRunning && !LoadsWellFormed(request, [], plan, cancellationToken))
        {
            throw new VerificationException("the unchanged model, as this library writes it, already fails the structural check or does not load; no optimisation can be verified");
        }

        if (!beforeRunning && Attempt(request, [], plan, cancellationToken) is { Result: null, Failure: var failure })
        {
            throw new VerificationException($"ONNX Runtime's results for the unchanged model already differ between its unoptimised run and the deployed settings ({failure}); no optimisation can be verified");
        }

        var (good, bad) = (0, passes.Count);
        while (bad - good > 1)
        {
            var middle = (good + bad) / 2;
            var prefix = passes.Take(middle).ToList();
            if (beforeRunning ? LoadsWellFormed(request, prefix, plan, cancellationToken) : Attempt(request, prefix, plan, cancellationToken).Result is not null)
            {
                good = middle;
            }
            else
            {
                bad = middle;
            }
        }

        progress?.Invoke($"bisected the failure to pass {passes[bad - 1].Name}");
        return passes[bad - 1].Name;
    }

    private static PassContext Context(OptimizeRequest request, Action<string>? progress) => new()
    {
        Evaluator = new OnnxRuntimeConstantEvaluator(),
        Target = request.Target,
        InputShapes = request.Shapes,
        KeepOutputs = request.KeepOutputs,
        FreezeInitializerInputs = request.FreezeInitializerInputs,
        PreservedInitializers = request.PreserveInitializers.ToHashSet(StringComparer.Ordinal),
        Log = progress,
    };
}
