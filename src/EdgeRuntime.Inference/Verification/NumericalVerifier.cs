using System.Globalization;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// Proves a candidate (an optimised model) computes what the original computes. <see cref="Prepare"/> studies the
/// original once: it designs input sets that reach what random data misses (free dimensions at 1, at distinct small
/// sizes and at a large size; integer inputs on both sides of every constant they are compared with; booleans all
/// true and all false; initializers a caller may override, perturbed; more sets searched until every If branch of the
/// main graph is taken), keeps those the original accepts, and runs the original on them unoptimised as the
/// reference. <see cref="Verify"/> then holds a candidate to it: a strict structural check of the file
/// (<see cref="OnnxModelChecker"/>), the same outputs and inputs, no random operator lost, every output within its
/// tolerance on every sample (one quantisation step for dequantised outputs), outputs that draw anew on every run
/// still doing so, the candidate's declared output types met by what it returns, and every If branch no sample takes
/// verified on its own. Verify may be called from several threads with the same plan.
/// </summary>
public sealed class NumericalVerifier
{
    private static readonly SessionSettings Reference = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };

    /// <summary>Settings the candidate is checked under. Default: ONNX Runtime's full optimisation, as deployed.</summary>
    public SessionSettings CandidateSettings { get; init; } = new();

    /// <summary>
    /// Studies <paramref name="original"/>: designs the input sets, runs the original on them, and records what a
    /// candidate is held to.
    /// </summary>
    /// <exception cref="OnnxFormatException">The model cannot be read.</exception>
    /// <exception cref="VerificationException">
    /// The model cannot be verified: an input or output that is not a tensor (sequence, map, optional), or ONNX Runtime
    /// cannot run it on the recorded or random input sets. The message is one line.
    /// </exception>
    /// <exception cref="ArgumentException">A kept output names no value of the main graph.</exception>
    public static VerificationPlan Prepare(byte[] original, VerificationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(options);
        // One parse serves the structural check and the reading (the checker leaves the declared types as they were).
        // The parse is kept for the branch checks' questions about these bytes, dropped when there are none to ask.
        var originalProblems = OnnxModelChecker.Check(original, out var checkedModel, keepParse: true);
        var model = checkedModel ?? OnnxModelReader.Read(original, "original", null);
        ThrowIfUnsupported(model);

        // Branch checks need every node named: a file that names each node once, as read, is asked as it is (its IR
        // serves the checks: they look at which values are inputs, weights or computed, never at the types shape
        // inference adds below); any other is written again first (the writer names every node). A model without If
        // nodes needs neither.
        var hasIf = model.Graph.Nodes.Any(n => n.Is("If"));
        var namesKept = hasIf && OnnxSubgraphs.NodeNamesKept(original, model);
        if (!namesKept)
        {
            OnnxSubgraphs.Forget(original);
        }

        var (normalised, normalisedIr) = namesKept ? (original, model) : hasIf ? OnnxSubgraphs.Written(model, "original") : (original, null);
        ShapeInference.Run(model);

        var frozen = model.IrVersion < 4 || options.FreezeInitializerInputs;
        var overridable = frozen ? [] : model.Graph.Inputs.Where(i => i.Initializer is not null).ToList();
        var outputNames = options.KeepOutputs.Count > 0 ? options.KeepOutputs.ToList() : model.Graph.Outputs.Select(o => o.Name).ToList();
        var exposed = outputNames.Distinct(StringComparer.Ordinal).Where(n => model.Graph.Outputs.All(o => o.Name != n)).ToList();
        var reference = exposed.Count == 0 ? original : OnnxSubgraphs.WithOutputs(original, exposed);
        var wanted = outputNames.Distinct(StringComparer.Ordinal).ToList();
        var random = HasRandomOperators(model);

        // Outputs computed from a random operator draw anew on every run, whatever two runs happen to show.
        var nondeterministic = RandomValues.Computed(model.Graph, outputNames);
        var varying = new HashSet<string>(StringComparer.Ordinal);

        var samples = new List<VerificationSample>();
        var expected = new List<Dictionary<string, Tensor>>();
        var skipped = new List<string>();
        // The session that runs the original on the samples also reads its If conditions and the outer values its branches
        // read (exposed as extra outputs, which change nothing ONNX Runtime computes at its unoptimised level), so the
        // branch checks need no second session of the whole model. Should that model not load, the plain one.
        var conditionSide = normalisedIr is null ? null : new BranchVerifier.Side(normalised, normalisedIr, []);
        var conditionOuter = conditionSide?.ComputedOuterValues();
        ModelSession? session = null;
        if (conditionSide is not null)
        {
            var present = model.Graph.Outputs.Select(o => o.Name).Concat(exposed).ToHashSet(StringComparer.Ordinal);
            try
            {
                session = ModelSession.Create(OnnxSubgraphs.AppendOutputs(reference, [.. conditionSide.ConditionNames().Concat(conditionOuter!).Where(n => !present.Contains(n))]), Reference);
            }
            catch (OnnxRuntimeException)
            {
                conditionOuter = null;
            }
        }

        try
        {
            session ??= ModelSession.Create(reference, Reference);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new VerificationException($"ONNX Runtime cannot load the original model ({OneLine(ex.Message)})");
        }

        using (session)
        {
            bool TryAdd(VerificationSample sample, bool required)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var feed = Filter(sample.Inputs, session);
                    var outputs = session.Run(feed, wanted);
                    if (random)
                    {
                        for (var repeat = 0; repeat < RandomRepeats && !nondeterministic.All(varying.Contains); repeat++)
                        {
                            var again = session.Run(feed, wanted);
                            varying.UnionWith(wanted.Where(n => !outputs[n].ContentEquals(again[n])));
                        }
                    }

                    samples.Add(sample);
                    expected.Add(outputs);
                    return true;
                }
                catch (OnnxRuntimeException ex) when (!required)
                {
                    skipped.Add($"{sample.Label}: {OneLine(ex.Message)}");
                    return false;
                }
                catch (OnnxRuntimeException ex)
                {
                    throw new VerificationException($"ONNX Runtime cannot run the original model on the verification inputs ({OneLine(ex.Message)}); give --shape for free dimensions or --sample with recorded inputs");
                }
                catch (NotSupportedException ex)
                {
                    throw new VerificationException($"the original model returns a value that is not a tensor ({ex.Message}); only tensor outputs can be verified");
                }
            }

            var designed = SampleDesigner.Design(model, options, overridable);
            if (designed.Count == 0)
            {
                throw new ArgumentException("verification needs at least one input set (random samples or --sample)");
            }

            var basic = options.RecordedSamples.Count + options.RandomSamples;
            for (var i = 0; i < designed.Count; i++)
            {
                TryAdd(designed[i], required: i < basic);
            }

            // Search for input sets that take the If branches the designed ones miss (one session reads every condition).
            var taken = new Dictionary<string, (int Then, int Else)>(StringComparer.Ordinal);
            var branches = new List<BranchCheck>();
            IReadOnlyList<BranchVerifier.BranchReference> branchReferences = [];
            if (normalisedIr is not null)
            {
                // The session that reads the conditions also gives the outer values of the branches checked on their own.
                using var conditions = conditionOuter is not null ? new BranchVerifier.Conditions(conditionSide!, session, conditionOuter) : new BranchVerifier.Conditions(conditionSide!, exposeOuterValues: true);
                taken = conditions.Taken([.. samples.Select(s => s.Inputs)]);
                // Search data only varies the inputs that are neither fixed nor initializers: a condition computed from
                // none of them (Silero's sample rate, fixed at 16 kHz) takes the same branch whatever the search draws.
                var varied = model.Graph.Inputs.Where(i => i.Initializer is null && !options.FixedInputs.ContainsKey(i.Name)).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
                if (options.RandomSamples > 0 && taken.Values.Any(t => t.Then == 0 || t.Else == 0) && BranchVerifier.UntakenConditionsRead(normalisedIr, taken, varied))
                {
                    foreach (var candidate in SampleDesigner.Search(model, options))
                    {
                        var added = conditions.Taken([candidate.Inputs]);
                        if (added.Any(p => (taken[p.Key].Then == 0 && p.Value.Then > 0) || (taken[p.Key].Else == 0 && p.Value.Else > 0)) && TryAdd(candidate, required: false))
                        {
                            taken = taken.ToDictionary(p => p.Key, p => (p.Value.Then + added[p.Key].Then, p.Value.Else + added[p.Key].Else), StringComparer.Ordinal);
                        }

                        if (taken.Values.All(t => t.Then > 0 && t.Else > 0))
                        {
                            break;
                        }
                    }
                }

                branches = BranchVerifier.ChecksFor(normalisedIr, taken);

                // The original's side of every branch check, worked out once per plan and shared by every candidate.
                branchReferences = branches.Count == 0 ? []
                    : BranchVerifier.OriginalSide(new BranchVerifier.Side(normalised, normalisedIr, [.. samples.Select(s => s.Inputs)]) { OwnBytes = !namesKept }, branches, depth: 0, conditions);
            }

            var coverage = new List<string>(samples.Select(s => $"sample: {s.Label}"));
            coverage.AddRange(taken.Select(p => $"If '{p.Key}': then taken by {p.Value.Then}, else by {p.Value.Else} sample(s)"));
            // Which branches are checked on their own is said once, by the verification's own line for each ("…, verified
            // on its own: agrees on 3 sample(s)"); a line here as well repeated every one of them.
            nondeterministic.UnionWith(varying);
            if (nondeterministic.Count > 0)
            {
                coverage.Add($"outputs computed from random operators (compared by type and shape, and those seen to vary must still vary): {string.Join(", ", nondeterministic)}");
            }

            var tolerances = wanted.ToDictionary(n => n, n => ToleranceRule.For(model.Graph.FindValue(n)!, options.Tolerance), StringComparer.Ordinal);
            var dequantised = wanted.Where(n => ToleranceRule.ComputedFromDequantised(model.Graph.FindValue(n)!)).ToHashSet(StringComparer.Ordinal);
            var misdeclared = new HashSet<string>(StringComparer.Ordinal);
            for (var s = 0; s < samples.Count; s++)
            {
                foreach (var (name, problem) in DeclaredTypeProblems(model, samples[s].Inputs, expected[s]))
                {
                    misdeclared.Add(name);
                }
            }

            return new VerificationPlan(new VerificationPlan.PlanParts(
                original,
                reference,
                samples,
                expected,
                outputNames,
                tolerances,
                coverage,
                skipped,
                nondeterministic,
                varying,
                dequantised,
                misdeclared,
                originalProblems.ToHashSet(StringComparer.Ordinal),
                RandomOperatorCounts(model),
                model.Graph.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal),
                [.. overridable.Select(v => v.Name)],
                normalised,
                branches,
                branchReferences));
        }
    }

    /// <summary>Holds <paramref name="candidate"/> to <paramref name="plan"/>; the report says what passed, what failed and which tolerance applied.</summary>
    public VerificationReport Verify(VerificationPlan plan, byte[] candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(candidate);
        var coverage = plan.Coverage.ToList();
        VerificationReport Fail(string failure, IReadOnlyList<OutputComparison>? outputs = null, IReadOnlyList<string>? structural = null) =>
            new(false, plan.Samples.Count, outputs ?? [], failure) { Coverage = coverage, StructuralProblems = structural ?? [] };

        // With branches to check, the checker's parse also answers the branch checks' questions about these bytes.
        var problems = NewStructuralProblems(plan, candidate, out var checkedModel, keepParse: plan.Branches.Count > 0);
        if (problems.Count > 0)
        {
            return Fail($"the optimised model is not well-formed: {problems[0]}{(problems.Count > 1 ? $" (and {problems.Count - 1} more)" : string.Empty)}", structural: problems) with { FailedBeforeRunning = true };
        }

        var model = checkedModel ?? OnnxModelReader.Read(candidate, "candidate", null);
        if (InterfaceProblem(plan, model) is { } interfaceProblem)
        {
            return Fail(interfaceProblem);
        }

        var randomOperators = RandomOperatorCounts(model);
        foreach (var (op, count) in plan.RandomOperators)
        {
            if (randomOperators.GetValueOrDefault(op) < count)
            {
                return Fail($"the original runs {count} {op} node(s), the optimised model {randomOperators.GetValueOrDefault(op)}: a random operator was folded or merged, so its results no longer draw anew on every run");
            }
        }

        ModelSession session;
        try
        {
            session = ModelSession.Create(candidate, CandidateSettings);
        }
        catch (OnnxRuntimeException ex)
        {
            return Fail($"ONNX Runtime cannot load the optimised model: {OneLine(ex.Message)}") with { FailedBeforeRunning = true };
        }

        var actual = new List<Dictionary<string, Tensor>>();
        var varies = new HashSet<string>(StringComparer.Ordinal);
        using (session)
        {
            var names = plan.OutputNames.Distinct(StringComparer.Ordinal).ToList();
            foreach (var sample in plan.Samples)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var feed = Filter(sample.Inputs, session);
                    var outputs = session.Run(feed, names);
                    actual.Add(outputs);
                    for (var repeat = 0; repeat < RandomRepeats && !plan.Varying.All(varies.Contains); repeat++)
                    {
                        var again = session.Run(feed, [.. plan.Varying]);
                        varies.UnionWith(plan.Varying.Where(n => !outputs[n].ContentEquals(again[n])));
                    }
                }
                catch (OnnxRuntimeException ex)
                {
                    return Fail($"ONNX Runtime cannot run the optimised model on sample '{sample.Label}', which the original accepts: {OneLine(ex.Message)}");
                }
            }
        }

        if (plan.Varying.Any(n => !varies.Contains(n)))
        {
            // ONNX Runtime's own optimiser removes Dropout even in training mode (EliminateDropout): what the original
            // does not do under the deployed settings either is not the candidate's doing.
            varies.UnionWith(plan.Varying.Where(n => !varies.Contains(n) && !VariesWhenDeployed(plan, n)));
        }

        var labels = plan.Samples.Select(s => s.Label).ToList();
        var comparisons = new List<OutputComparison>();
        IReadOnlyList<Dictionary<string, Tensor>>? unoptimised = null;
        foreach (var name in plan.OutputNames.Distinct(StringComparer.Ordinal))
        {
            var rule = plan.Tolerances[name];
            var expected = plan.Expected.Select(e => e[name]).ToList();
            var got = actual.Select(a => a[name]).ToList();
            if (plan.Nondeterministic.Contains(name))
            {
                comparisons.Add(CompareRandom(name, expected, got, !plan.Varying.Contains(name) || varies.Contains(name), labels));
                continue;
            }

            var comparison = OutputComparer.Compare(name, expected, got, rule, labels);
            if (!comparison.Passed && ReferenceUnderDeployedSettings(plan) is { } deployed)
            {
                // ONNX Runtime's own rewrites (QDQ propagation, integer kernels for dequantised weights) change numerics
                // beyond rounding; a candidate that computes what the original computes under the same settings is exact.
                var type = expected.FirstOrDefault()?.ElementType ?? DataType.Undefined;
                var asDeployed = new ToleranceRule(Verification.Tolerance.For(type), $"as the original computes under the deployed settings (ONNX Runtime's own rewrites): {DataTypes.Name(type)} rounding");
                var second = OutputComparer.Compare(name, [.. deployed.Select(d => d[name])], got, asDeployed, labels);
                comparison = second.Passed ? second : comparison;
            }

            if (!comparison.Passed && plan.Dequantised.Contains(name) && (unoptimised ??= RunUnoptimised(plan, candidate)) is { } plain)
            {
                // Whether ONNX Runtime runs a MatMul or Conv on dequantised weights as an integer kernel depends on the
                // graph around it, so the two deployed runs may quantise different values: what our rewrite must
                // preserve is what both compute without ONNX Runtime's rewrites.
                var third = OutputComparer.Compare(name, expected, [.. plain.Select(p => p[name])], rule with { Description = $"computed from dequantised data, compared with both run unoptimised (the deployed run may use integer kernels where the original's does not): {rule.Description}" }, labels);
                comparison = third.Passed ? third : comparison;
            }

            comparisons.Add(comparison);
        }

        if (comparisons.FirstOrDefault(c => !c.Passed) is { } failed)
        {
            return Fail($"output '{failed.Output}': {failed.Problem}", comparisons);
        }

        for (var s = 0; s < plan.Samples.Count; s++)
        {
            foreach (var (name, problem) in DeclaredTypeProblems(model, plan.Samples[s].Inputs, actual[s]))
            {
                if (!plan.MisdeclaredOutputs.Contains(name))
                {
                    return Fail($"output '{name}' of the optimised model is declared wrongly: {problem} on sample '{plan.Samples[s].Label}'", comparisons);
                }
            }
        }

        if (plan.Branches.Count > 0)
        {
            // The candidate as read (the structural check puts back every type it infers).
            var optimised = new BranchVerifier.Side(candidate, model, [.. plan.Samples.Select(s => s.Inputs)]);
            var notes = new List<string>();
            var failure = BranchVerifier.Verify(plan.BranchReferences, optimised, tolerance: null, CandidateSettings, notes);
            coverage.AddRange(notes);
            if (failure is not null)
            {
                return Fail(failure, comparisons);
            }
        }

        return new VerificationReport(true, plan.Samples.Count, comparisons, null) { Coverage = coverage };
    }

    /// <summary>
    /// The structural problems of <paramref name="candidate"/> the original does not already have (the first check
    /// <see cref="Verify"/> makes, and the cheapest: no ONNX Runtime session), and the candidate as read when it got that far.
    /// </summary>
    internal static List<string> NewStructuralProblems(VerificationPlan plan, byte[] candidate, out Model? read, bool keepParse = false) =>
        [.. OnnxModelChecker.Check(candidate, out read, keepParse).Where(p => !plan.OriginalProblems.Contains(p))];

    /// <summary>Whether <paramref name="candidate"/> passes the checks made before any sample runs: the structural check, and ONNX Runtime loading it under <see cref="CandidateSettings"/>.</summary>
    internal bool LoadsWellFormed(VerificationPlan plan, byte[] candidate)
    {
        if (NewStructuralProblems(plan, candidate, out _).Count > 0)
        {
            return false;
        }

        try
        {
            ModelSession.Create(candidate, CandidateSettings).Dispose();
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    /// <summary>The candidate's outputs on every sample at ONNX Runtime's unoptimised level; null when it cannot run so.</summary>
    private static IReadOnlyList<Dictionary<string, Tensor>>? RunUnoptimised(VerificationPlan plan, byte[] candidate)
    {
        try
        {
            using var session = ModelSession.Create(candidate, Reference);
            var names = plan.OutputNames.Distinct(StringComparer.Ordinal).ToList();
            return [.. plan.Samples.Select(s => session.Run(Filter(s.Inputs, session), names))];
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }
    }

    /// <summary>The reference model's outputs on every sample under <see cref="CandidateSettings"/>; null when it cannot run so.</summary>
    private IReadOnlyList<Dictionary<string, Tensor>>? ReferenceUnderDeployedSettings(VerificationPlan plan) =>
        plan.ReferenceUnder.GetOrAdd(CandidateSettings, settings =>
        {
            try
            {
                using var session = ModelSession.Create(plan.Reference, settings);
                var names = plan.OutputNames.Distinct(StringComparer.Ordinal).ToList();
                return [.. plan.Samples.Select(s => session.Run(Filter(s.Inputs, session), names))];
            }
            catch (OnnxRuntimeException)
            {
                return null;
            }
        });

    /// <summary>Whether output <paramref name="name"/> of the original varies from run to run under <see cref="CandidateSettings"/>.</summary>
    private bool VariesWhenDeployed(VerificationPlan plan, string name)
    {
        try
        {
            using var session = ModelSession.Create(plan.Original, CandidateSettings);
            foreach (var sample in plan.Samples)
            {
                var feed = Filter(sample.Inputs, session);
                var first = session.Run(feed, [name])[name];
                for (var repeat = 0; repeat < RandomRepeats; repeat++)
                {
                    if (!session.Run(feed, [name])[name].ContentEquals(first))
                    {
                        return true;
                    }
                }
            }
        }
        catch (OnnxRuntimeException)
        {
            // Nothing to learn; the candidate is held to the variation the reference showed.
            return true;
        }

        return false;
    }

    /// <summary>A one-line refusal when the model has inputs or outputs verification cannot feed or read.</summary>
    private static void ThrowIfUnsupported(Model model)
    {
        foreach (var input in model.Graph.Inputs.Where(i => i.Initializer is null))
        {
            if (input.Type is OpaqueValueType opaque)
            {
                throw new VerificationException($"input '{input.Name}' is a {Describe(opaque)}; only tensor inputs can be verified, so the model is not optimised");
            }

            if (input.Type is null)
            {
                throw new VerificationException($"input '{input.Name}' has no type; only typed tensor inputs can be verified, so the model is not optimised");
            }
        }

        foreach (var output in model.Graph.Outputs)
        {
            if (output.Type is OpaqueValueType opaque)
            {
                throw new VerificationException($"output '{output.Name}' is a {Describe(opaque)}; only tensor outputs can be verified, so the model is not optimised");
            }
        }
    }

    private static string Describe(OpaqueValueType type) => type.Kind switch
    {
        "SequenceType" => "sequence",
        "MapType" => "map",
        "OptionalType" => "optional",
        "SparseTensorType" => "sparse tensor",
        var other => other,
    };

    private static string? InterfaceProblem(VerificationPlan plan, Model model)
    {
        var outputs = model.Graph.Outputs.Select(o => o.Name).ToList();
        if (!outputs.SequenceEqual(plan.OutputNames, StringComparer.Ordinal))
        {
            return $"the optimised model's outputs are [{string.Join(", ", outputs)}], not [{string.Join(", ", plan.OutputNames)}]: output names and order are the model's interface";
        }

        if (model.Graph.Inputs.FirstOrDefault(i => !plan.OriginalInputs.Contains(i.Name)) is { } extra)
        {
            return $"the optimised model has an input '{extra.Name}' the original does not have";
        }

        if (plan.RequiredInputs.FirstOrDefault(r => model.Graph.Inputs.All(i => i.Name != r)) is { } lost)
        {
            return $"input '{lost}' is no longer an input of the optimised model: from IR 4 on, an initializer listed as an input is a default the caller may override (--freeze-initializer-inputs if the deployment never does)";
        }

        return null;
    }

    private static OutputComparison CompareRandom(string name, IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual, bool varies, IReadOnlyList<string> labels)
    {
        var rule = new ToleranceRule(new Tolerance(double.PositiveInfinity, 0), "random output: type and shape only, and it must still vary from run to run");
        for (var s = 0; s < expected.Count; s++)
        {
            if (expected[s].ElementType != actual[s].ElementType || !expected[s].Dims.SequenceEqual(actual[s].Dims))
            {
                return OutputComparer.Failed(name, rule, $"type or shape changed on sample '{labels[s]}': {expected[s]} became {actual[s]}");
            }
        }

        return varies
            ? new OutputComparison(name, double.NaN, double.NaN, double.NaN, null, true, null) { ToleranceApplied = rule.Description }
            : OutputComparer.Failed(name, rule, "it changes from run to run in the original but not in the optimised model: a random operator was folded or merged");
    }

    /// <summary>Outputs whose returned tensor does not meet the model's declared type (element type, rank, known or symbol-bound sizes).</summary>
    private static IEnumerable<(string Output, string Problem)> DeclaredTypeProblems(Model model, IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyDictionary<string, Tensor> outputs)
    {
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var input in model.Graph.Inputs)
        {
            if (input.TensorType?.Shape is { } shape && inputs.TryGetValue(input.Name, out var fed) && fed.Dims.Length == shape.Rank)
            {
                for (var i = 0; i < shape.Rank; i++)
                {
                    if (shape.Dims[i].Symbol is { } symbol)
                    {
                        symbols.TryAdd(symbol, fed.Dims[i]);
                    }
                }
            }
        }

        foreach (var output in model.Graph.Outputs.Distinct())
        {
            if (output.TensorType is not { } declared || !outputs.TryGetValue(output.Name, out var tensor))
            {
                continue;
            }

            if (declared.ElementType != DataType.Undefined && declared.ElementType != tensor.ElementType)
            {
                yield return (output.Name, $"declared {declared}, returns {tensor}");
                continue;
            }

            if (declared.Shape is not { } shape)
            {
                continue;
            }

            if (shape.Rank != tensor.Dims.Length)
            {
                yield return (output.Name, $"declared {declared}, returns {tensor}");
                continue;
            }

            for (var i = 0; i < shape.Rank; i++)
            {
                var dim = shape.Dims[i];
                var size = tensor.Dims[i];
                if ((dim.Value is { } known && known != size) || (dim.Symbol is { } symbol && !symbols.TryAdd(symbol, size) && symbols[symbol] != size))
                {
                    yield return (output.Name, string.Create(CultureInfo.InvariantCulture, $"declared {declared}, returns {tensor} (dimension {i})"));
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Extra runs of a sample when looking for a random output's variation: a Dropout of ratio 0.5 over three elements
    /// repeats its mask with probability 1/8 a run, so eight runs all alike happen once in 16 million.
    /// </summary>
    private const int RandomRepeats = 8;

    private static bool HasRandomOperators(Model model) => PassHelpers.AllNodes(model).Any(n => !OperatorPurity.IsPure(n));

    /// <summary>Random (impure) nodes per "domain:op" whose values can reach an output (a Shape or Size of their result reads no value).</summary>
    private static Dictionary<string, int> RandomOperatorCounts(Model model)
    {
        var live = LiveNodes(model.Graph);
        return live.Where(n => !OperatorPurity.IsPure(n)).GroupBy(n => $"{(n.Domain.Length == 0 ? "ai.onnx" : n.Domain)}.{n.OpType}")
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    private static HashSet<Node> LiveNodes(Graph.Ir.Graph graph)
    {
        var live = new HashSet<Node>();
        var pending = new Stack<Value>(graph.Outputs);
        while (pending.TryPop(out var value))
        {
            if (value.Producer is not { } node || !live.Add(node))
            {
                continue;
            }

            // Shape and Size read only their input's dimensions, which random operators fix ahead of the draw.
            foreach (var read in node.Is("Shape") || node.Is("Size") ? node.Inputs.Skip(1).OfType<Value>() : Graph.Ir.Graph.ValuesRead(node))
            {
                pending.Push(read);
            }

            foreach (var subgraph in node.Subgraphs)
            {
                live.UnionWith(LiveNodes(subgraph));
            }
        }

        return live;
    }

    private static Dictionary<string, Tensor> Filter(IReadOnlyDictionary<string, Tensor> feed, ModelSession session) =>
        feed.Where(i => session.FeedNames.Contains(i.Key)).ToDictionary(StringComparer.Ordinal);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}

/// <summary>Verification could not be carried out (not: the candidate failed it); the message is one line.</summary>
public sealed class VerificationException(string message) : Exception(message);
