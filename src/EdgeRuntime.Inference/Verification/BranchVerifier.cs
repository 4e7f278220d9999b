using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// If branches that inputs do not reach, verified on their own: the branch of the original and the same branch of the
/// candidate each become a model whose inputs are the outer values the branch reads, those values are taken from
/// runs of each main graph on the same samples (so they are values the branch can really see), and the two branch
/// models are compared output by output as if every sample took the branch. Nested If nodes inside a checked branch
/// are treated the same way, a few levels deep.
/// </summary>
internal static class BranchVerifier
{
    private const int MaxDepth = 3;

    private static readonly SessionSettings Reference = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };

    /// <summary>One side of a comparison: model bytes (every node named), its IR, and its inputs per sample (null: no value for that sample).</summary>
    public sealed record Side(byte[] Bytes, Model Ir, IReadOnlyList<IReadOnlyDictionary<string, Tensor>?> Feeds)
    {
        /// <summary>Inputs of this model that carry random values (outer values of a branch checked on its own).</summary>
        public IReadOnlySet<string> RandomInputs { get; init; } = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// Whether <see cref="Bytes"/> are a copy made for this check alone, asked about by this thread only, so that the
        /// branch models made from them may share their parse's messages (<c>OnnxSubgraphs.StandaloneModel</c>); not so
        /// for a caller's own array, which another thread may be asking about.
        /// </summary>
        public bool OwnBytes { get; init; }

        /// <summary>The model with <paramref name="names"/> (node outputs of its main graph) exposed as outputs.</summary>
        public byte[] WithOutputs(IReadOnlyList<string> names) => OnnxSubgraphs.AppendOutputs(Bytes, names);

        /// <summary>
        /// Whether a run needs no session to give the value of main-graph value <paramref name="name"/>: a graph input
        /// (its feed) or a weight (its initializer), which a run returns as they are.
        /// </summary>
        public bool IsDirect(string name) => Ir.Graph.FindValue(name) is { } value && (value.IsGraphInput || value.Initializer is not null);

        /// <summary>
        /// What a run on <paramref name="feed"/> gives for the direct value <paramref name="name"/>: the fed value of an
        /// input (an initializer that is also an input is overridden when fed), else the initializer; null when neither.
        /// </summary>
        public Tensor? Direct(string name, IReadOnlyDictionary<string, Tensor> feed)
        {
            var value = Ir.Graph.FindValue(name);
            return value is { IsGraphInput: true } && feed.TryGetValue(name, out var fed) ? fed : value?.Initializer;
        }

        /// <summary>The outer values of the branches of the main graph's If nodes that a run must expose (those not direct).</summary>
        public List<string> ComputedOuterValues() =>
            [.. TopLevelIfs(Ir).SelectMany(n => new[] { "then_branch", "else_branch" }.SelectMany(b => OnnxSubgraphs.OuterValues(Bytes, n.Name, b) ?? [])).Distinct(StringComparer.Ordinal).Where(n => !IsDirect(n))];

        /// <summary>The conditions of the main graph's If nodes whose condition is not constant.</summary>
        public List<string> ConditionNames() => [.. TopLevelIfs(Ir).Select(n => n.Input(0)!.Name).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>For each If node of the main graph whose condition is not constant: how many samples take each branch.</summary>
    public static Dictionary<string, (int Then, int Else)> Taken(Side side)
    {
        using var conditions = new Conditions(side);
        return conditions.Taken(side.Feeds);
    }

    /// <summary>
    /// The conditions of a model's top-level If nodes, read by one session of the model with the conditions exposed as
    /// outputs, so any number of input sets is classified for the price of one session; or read from runs already made
    /// (a checked branch's own session exposes the conditions and outer values of the If nodes nested in it). Owns the
    /// session it makes, not one it is given.
    /// </summary>
    public sealed class Conditions : IDisposable
    {
        private readonly List<Node> _ifs;
        private readonly List<string> _names;
        private readonly ModelSession? _session;
        private readonly bool _ownsSession;
        private readonly Dictionary<IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>>? _runs;
        private readonly HashSet<string> _outer = new(StringComparer.Ordinal);

        /// <param name="side">The model (every node named) and its IR; the feeds are not used.</param>
        /// <param name="exposeOuterValues">
        /// Whether the session also exposes the outer values every branch of those If nodes reads (those a run computes;
        /// inputs and weights are taken as they are), so that <see cref="Values"/> gives them for the original's side of
        /// the branch checks without a session of its own.
        /// </param>
        public Conditions(Side side, bool exposeOuterValues = false)
        {
            _ifs = TopLevelIfs(side.Ir);
            _names = side.ConditionNames();
            _ownsSession = true;
            if (_ifs.Count == 0)
            {
                return;
            }

            if (exposeOuterValues)
            {
                var outer = side.ComputedOuterValues();
                try
                {
                    _session = ModelSession.Create(side.WithOutputs([.. _names, .. outer]), Reference);
                    _outer.UnionWith(outer);
                    return;
                }
                catch (OnnxRuntimeException)
                {
                    // Exposing the outer values did not work: the conditions alone, as without them, and the branch checks
                    // expose what they need themselves.
                }
            }

            try
            {
                _session = ModelSession.Create(side.WithOutputs(_names), Reference);
            }
            catch (OnnxRuntimeException)
            {
                // The instrumented model did not load: nothing is known about the branches, and every one gets checked.
                _session = null;
            }
        }

        /// <summary>
        /// Reads the conditions from <paramref name="session"/>, a session of the same model that exposes
        /// <see cref="Side.ConditionNames"/> and <paramref name="outer"/> (the caller's reference session, extended), and
        /// stays the caller's to dispose.
        /// </summary>
        public Conditions(Side side, ModelSession session, IEnumerable<string> outer)
        {
            _ifs = TopLevelIfs(side.Ir);
            _names = side.ConditionNames();
            _session = session;
            _outer.UnionWith(outer);
        }

        /// <summary>
        /// The conditions as runs already made gave them: <paramref name="runs"/>[i] holds the conditions and
        /// <paramref name="outer"/> for <c>side.Feeds[i]</c> (null where that run failed). Only those feeds are known.
        /// </summary>
        public Conditions(Side side, IReadOnlyList<IReadOnlyDictionary<string, Tensor>?> runs, IEnumerable<string> outer)
        {
            _ifs = TopLevelIfs(side.Ir);
            _names = side.ConditionNames();
            _runs = new(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < side.Feeds.Count; i++)
            {
                if (side.Feeds[i] is { } feed && runs[i] is { } run)
                {
                    _runs[feed] = run;
                }
            }

            _outer.UnionWith(outer);
        }

        /// <summary>
        /// The values <paramref name="names"/> (outer values of the branches that a run computes) take in each run of the
        /// model on <paramref name="feeds"/> (null where it cannot run), as <c>Expose</c> gives them; null when these runs
        /// do not expose them all.
        /// </summary>
        public List<IReadOnlyDictionary<string, Tensor>?>? Values(IReadOnlyList<IReadOnlyDictionary<string, Tensor>?> feeds, IReadOnlyList<string> names)
        {
            if ((_session is null && _runs is null) || !names.All(_outer.Contains))
            {
                return null;
            }

            if (names.Count == 0)
            {
                return [.. feeds.Select(f => f is null ? null : (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor>())];
            }

            return [.. feeds.Select(feed => feed is null ? null : (IReadOnlyDictionary<string, Tensor>?)Run(feed, names))];
        }

        /// <summary>How many of <paramref name="feeds"/> take each branch (feeds that are null or that the model refuses count for neither).</summary>
        public Dictionary<string, (int Then, int Else)> Taken(IEnumerable<IReadOnlyDictionary<string, Tensor>?> feeds)
        {
            var taken = _ifs.ToDictionary(n => n.Name, _ => (Then: 0, Else: 0), StringComparer.Ordinal);
            foreach (var feed in feeds.OfType<IReadOnlyDictionary<string, Tensor>>())
            {
                if (Run(feed, _names) is not { } values)
                {
                    continue;
                }

                foreach (var node in _ifs)
                {
                    var condition = values[node.Input(0)!.Name];
                    var isTrue = condition.ElementCount > 0 && condition.ToDoubleArray()[0] != 0;
                    var (then, otherwise) = taken[node.Name];
                    taken[node.Name] = isTrue ? (then + 1, otherwise) : (then, otherwise + 1);
                }
            }

            return taken;
        }

        public void Dispose()
        {
            if (_ownsSession)
            {
                _session?.Dispose();
            }
        }

        /// <summary><paramref name="names"/> in the run on <paramref name="feed"/>; null where it fails or is not known.</summary>
        private Dictionary<string, Tensor>? Run(IReadOnlyDictionary<string, Tensor> feed, IReadOnlyList<string> names)
        {
            if (_runs is not null)
            {
                return _runs.TryGetValue(feed, out var run) ? names.Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => run[n], StringComparer.Ordinal) : null;
            }

            if (_session is null)
            {
                return null;
            }

            try
            {
                return _session.Run(Filter(feed, _session), names);
            }
            catch (OnnxRuntimeException)
            {
                return null;
            }
        }
    }

    /// <summary>The branches of <paramref name="model"/>'s main graph to check on their own: those no sample takes, and those that hold If nodes.</summary>
    public static List<BranchCheck> ChecksFor(Model model, IReadOnlyDictionary<string, (int Then, int Else)> taken)
    {
        var checks = new List<BranchCheck>();
        foreach (var node in TopLevelIfs(model))
        {
            var (then, otherwise) = taken.GetValueOrDefault(node.Name);
            foreach (var (branch, count) in new[] { ("then_branch", then), ("else_branch", otherwise) })
            {
                if (node.Attribute(branch) is not { Kind: AttributeKind.Graph } attribute)
                {
                    continue;
                }

                if (count == 0)
                {
                    checks.Add(new BranchCheck(node.Name, branch, "no sample takes it"));
                }
                else if (attribute.Graph.SelfAndDescendants().Any(g => g.Nodes.Any(n => n.Subgraphs.Any())))
                {
                    checks.Add(new BranchCheck(node.Name, branch, "it holds subgraphs of its own"));
                }
            }
        }

        return checks;
    }

    /// <summary>
    /// The original's side of one branch check, computed once per plan: the outer values the branch reads in each sample
    /// (null where the main graph gives none), the branch as a model of its own, its outputs per sample (null where it
    /// cannot run), the outer values that carry random data, and the checks of If nodes nested in it. When nothing can be
    /// compared, <see cref="Note"/> says why and the rest is empty.
    /// </summary>
    public sealed record BranchReference(
        BranchCheck Check,
        string? Note,
        IReadOnlyList<IReadOnlyDictionary<string, Tensor>?> Values,
        byte[]? Branch,
        Model? BranchIr,
        IReadOnlyList<Dictionary<string, Tensor>?> Expected,
        IReadOnlySet<string> RandomOuter,
        IReadOnlyList<BranchReference> Nested)
    {
        public string Where => $"{Check.Branch} of If '{Check.Node}' ({Check.Reason}), verified on its own";
    }

    /// <summary>Works out the original's side of <paramref name="checks"/> (and of the If nodes nested in them, a few levels deep).</summary>
    /// <param name="original">The original's side.</param>
    /// <param name="checks">The branches to check.</param>
    /// <param name="depth">How deep these branches are nested (0: the main graph's).</param>
    /// <param name="conditions">A session of the same model that already exposes the outer values (none: one is made).</param>
    public static IReadOnlyList<BranchReference> OriginalSide(Side original, IReadOnlyList<BranchCheck> checks, int depth, Conditions? conditions = null)
    {
        var outer = checks.ToDictionary(c => c, c => OnnxSubgraphs.OuterValues(original.Bytes, c.Node, c.Branch) ?? []);
        var exposed = ExposeAll(original, [.. outer.Values], conditions);
        var references = new List<BranchReference>();
        var clean = new HashSet<Value>();
        foreach (var check in checks)
        {
            var names = outer[check];
            var values = exposed[(IReadOnlyList<string>)names];
            BranchReference Empty(string note) => new(check, note, values, null, null, [], new HashSet<string>(StringComparer.Ordinal), []);
            if (values.FirstOrDefault(v => v is not null) is not { } first)
            {
                references.Add(Empty("no sample gives the values it reads"));
                continue;
            }

            var (branch, branchIr) = OnnxSubgraphs.StandaloneModel(original.Bytes, check.Node, check.Branch, Types(first), "branch", shareMessages: original.OwnBytes)!.Value;
            ShapeInference.Run(branchIr);

            // A branch with If nodes of its own to check: its session also exposes their conditions and the outer values
            // they read (the branch's run gives them at no extra cost), so the nested checks need no session to find them.
            var inner = new Side(branch, branchIr, values) { OwnBytes = true };
            var checkNested = depth + 1 < MaxDepth && TopLevelIfs(branchIr).Count > 0;
            List<string> nestedNames = checkNested ? [.. inner.ConditionNames(), .. inner.ComputedOuterValues()] : [];
            ModelSession? session = null;
            if (nestedNames.Count > 0)
            {
                try
                {
                    session = ModelSession.Create(inner.WithOutputs(nestedNames), Reference);
                }
                catch (OnnxRuntimeException)
                {
                    // Exposing them did not work: the branch alone, and the nested checks find their values as before.
                    nestedNames = [];
                }
            }

            try
            {
                session ??= ModelSession.Create(branch, Reference);
            }
            catch (OnnxRuntimeException ex)
            {
                references.Add(Empty($"ONNX Runtime cannot load the original branch on its own ({OneLine(ex.Message)})"));
                continue;
            }

            var outputNames = branchIr.Graph.Outputs.Select(o => o.Name).Distinct(StringComparer.Ordinal).ToList();
            var runNames = outputNames.Concat(nestedNames).Distinct(StringComparer.Ordinal).ToList();
            var expected = new List<Dictionary<string, Tensor>?>();
            var nestedRuns = new List<IReadOnlyDictionary<string, Tensor>?>();
            using (session)
            {
                foreach (var feed in values)
                {
                    try
                    {
                        var run = feed is null ? null : session.Run(Filter(feed, session), runNames);
                        expected.Add(run is null ? null : outputNames.ToDictionary(n => n, n => run[n], StringComparer.Ordinal));
                        nestedRuns.Add(run);
                    }
                    catch (OnnxRuntimeException)
                    {
                        // The original branch cannot run on what this sample gives it: the sample says nothing here.
                        expected.Add(null);
                        nestedRuns.Add(null);
                    }
                }
            }

            if (expected.All(e => e is null))
            {
                references.Add(Empty("the original branch cannot run on the values any sample gives it"));
                continue;
            }

            // Outer values computed from random operators differ between the two main-graph runs: such outputs (and those
            // of random operators in the branch) are compared by type and shape only.
            var randomOuter = names.Where(n => original.Ir.Graph.FindValue(n) is { } v && (RandomValues.IsRandom(v, clean) || DependsOn(v, original.RandomInputs))).ToHashSet(StringComparer.Ordinal);
            IReadOnlyList<BranchReference> nested = [];
            if (checkNested)
            {
                // As for the main graph: what reads the branch's conditions also gives its checks' outer values.
                var feeds = values.Select((v, i) => expected[i] is null ? null : v).ToList();
                inner = new Side(branch, branchIr, feeds) { RandomInputs = randomOuter, OwnBytes = true };
                using var innerConditions = nestedNames.Count > 0 ? new Conditions(inner, nestedRuns, nestedNames) : new Conditions(inner, exposeOuterValues: true);
                nested = OriginalSide(inner, ChecksFor(branchIr, innerConditions.Taken(inner.Feeds)), depth + 1, innerConditions);
            }

            references.Add(new BranchReference(check, null, values, branch, branchIr, expected, randomOuter, nested));
        }

        return references;
    }

    /// <summary>
    /// Verifies the candidate's side of <paramref name="references"/>; null when every branch agrees, else the first
    /// disagreement in one line. The candidate's outer values for all checks come from one session of it.
    /// </summary>
    /// <param name="references">The original's side of the checks.</param>
    /// <param name="candidate">The optimised model's side.</param>
    /// <param name="tolerance">The comparison tolerance (null: by output type).</param>
    /// <param name="candidateSettings">Session settings for the optimised branches.</param>
    /// <param name="notes">Receives one line per branch: agreed, or why nothing could be compared.</param>
    /// <param name="within">For nested checks, the branch they sit in ("then_branch of If 'If_25'"), named in their notes.</param>
    public static string? Verify(IReadOnlyList<BranchReference> references, Side candidate, Tolerance? tolerance, SessionSettings candidateSettings, List<string> notes, string? within = null)
    {
        var present = references.Where(r => candidate.Ir.Graph.Nodes.Any(n => n.Is("If") && n.Name == r.Check.Node)).ToList();
        var outer = present.ToDictionary(r => r, r => OnnxSubgraphs.OuterValues(candidate.Bytes, r.Check.Node, r.Check.Branch) ?? []);
        var exposed = ExposeAll(candidate, [.. outer.Values]);
        foreach (var reference in references)
        {
            var where = reference.Where;
            var check = reference.Check;

            // A failure nests its parents' prefixes already; a note stands alone, so it says where the If sits.
            var noteWhere = within is null ? where : $"{check.Branch} of If '{check.Node}' in {within} ({check.Reason}), verified on its own";
            if (!outer.TryGetValue(reference, out var names))
            {
                notes.Add($"{noteWhere}: the optimised model has no If '{check.Node}' (removed or rewritten), nothing to compare");
                continue;
            }

            if (reference.Note is { } note)
            {
                notes.Add($"{noteWhere}: {note}");
                continue;
            }

            var candidateValues = exposed[(IReadOnlyList<string>)names];
            var usable = Enumerable.Range(0, reference.Values.Count).Where(i => reference.Values[i] is not null && candidateValues[i] is not null).ToList();
            if (usable.Count == 0)
            {
                notes.Add($"{noteWhere}: no sample gives the values it reads");
                continue;
            }

            if (OnnxSubgraphs.StandaloneModel(candidate.Bytes, check.Node, check.Branch, Types(candidateValues[usable[0]]!), "branch") is not { } standalone)
            {
                return $"{where}: the optimised If '{check.Node}' has no {check.Branch}";
            }

            var (candidateBranch, candidateIr) = standalone;

            var originalIr = reference.BranchIr!;
            if (originalIr.Graph.Outputs.Count != candidateIr.Graph.Outputs.Count)
            {
                return $"{where}: it has {candidateIr.Graph.Outputs.Count} outputs instead of {originalIr.Graph.Outputs.Count}";
            }

            ModelSession candidateSession;
            try
            {
                candidateSession = ModelSession.Create(candidateBranch, candidateSettings);
            }
            catch (OnnxRuntimeException ex)
            {
                return $"{where}: ONNX Runtime cannot load the optimised branch ({OneLine(ex.Message)})";
            }

            var expected = new List<Dictionary<string, Tensor>>();
            var actual = new List<Dictionary<string, Tensor>>();
            var labels = new List<string>();
            var nextCandidate = new List<IReadOnlyDictionary<string, Tensor>?>();
            using (candidateSession)
            {
                for (var i = 0; i < reference.Values.Count; i++)
                {
                    if (!usable.Contains(i) || reference.Expected[i] is not { } originalOutputs)
                    {
                        nextCandidate.Add(null);
                        continue;
                    }

                    try
                    {
                        actual.Add(candidateSession.Run(Filter(candidateValues[i]!, candidateSession)));
                    }
                    catch (OnnxRuntimeException ex)
                    {
                        return $"{where}: ONNX Runtime cannot run the optimised branch where the original runs ({OneLine(ex.Message)})";
                    }

                    expected.Add(originalOutputs);
                    labels.Add($"sample {i + 1}");
                    nextCandidate.Add(candidateValues[i]);
                }
            }

            if (expected.Count == 0)
            {
                notes.Add($"{noteWhere}: the original branch cannot run on the values any sample gives it");
                continue;
            }

            var clean = new HashSet<Value>();
            for (var k = 0; k < originalIr.Graph.Outputs.Count; k++)
            {
                var originalOutput = originalIr.Graph.Outputs[k];
                var candidateName = candidateIr.Graph.Outputs[k].Name;
                var random = RandomValues.IsRandom(originalOutput, clean) || DependsOn(originalOutput, reference.RandomOuter);
                var rule = random
                    ? new ToleranceRule(new Tolerance(double.PositiveInfinity, 0), "computed from random values: type and shape only")
                    : ToleranceRule.For(originalOutput, tolerance);
                var comparison = OutputComparer.Compare(originalOutput.Name, [.. expected.Select(e => e[originalOutput.Name])], [.. actual.Select(a => a[candidateName])], rule, labels);
                if (!comparison.Passed)
                {
                    return $"{where}: output {k}: {comparison.Problem}";
                }
            }

            notes.Add($"{noteWhere}: agrees on {expected.Count} sample(s)");
            if (reference.Nested.Count > 0 && Verify(reference.Nested, new Side(candidateBranch, candidateIr, nextCandidate), tolerance, candidateSettings, notes, within: within is null ? $"{check.Branch} of If '{check.Node}'" : $"{check.Branch} of If '{check.Node}' in {within}") is { } failure)
            {
                return $"{where}: {failure}";
            }
        }

        return null;
    }

    /// <summary>Whether the condition of some top-level If with a branch no sample takes is computed from any of the graph inputs named <paramref name="inputs"/>.</summary>
    public static bool UntakenConditionsRead(Model model, IReadOnlyDictionary<string, (int Then, int Else)> taken, IReadOnlySet<string> inputs) =>
        TopLevelIfs(model).Any(n => taken.GetValueOrDefault(n.Name) is var t && (t.Then == 0 || t.Else == 0) && DependsOn(n.Input(0)!, inputs));

    /// <summary>Whether <paramref name="value"/> is computed from any of the graph inputs named <paramref name="inputs"/>.</summary>
    private static bool DependsOn(Value value, IReadOnlySet<string> inputs)
    {
        if (inputs.Count == 0)
        {
            return false;
        }

        var seen = new HashSet<Value>();
        var pending = new Stack<Value>([value]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            if (current.IsGraphInput && inputs.Contains(current.Name))
            {
                return true;
            }

            foreach (var read in current.Producer is { } node ? Graph.Ir.Graph.ValuesRead(node) : [])
            {
                pending.Push(read);
            }
        }

        return false;
    }

    private static List<Node> TopLevelIfs(Model model) =>
        [.. model.Graph.Nodes.Where(n => n.Is("If") && n.Input(0) is { } condition && ConstantValues.Of(condition) is null)];

    /// <summary>
    /// For each list of names, the values they take in each sample's run of the side's main graph (null where it cannot
    /// run): inputs and weights as they are, the rest from one session that exposes their union (or the conditions
    /// session, when it already does); should that model not load, each list gets its own.
    /// </summary>
    private static Dictionary<IReadOnlyList<string>, List<IReadOnlyDictionary<string, Tensor>?>> ExposeAll(Side side, IReadOnlyList<IReadOnlyList<string>> lists, Conditions? conditions = null)
    {
        var result = new Dictionary<IReadOnlyList<string>, List<IReadOnlyDictionary<string, Tensor>?>>(ReferenceEqualityComparer.Instance);
        List<string> Computed(IEnumerable<string> names) => [.. names.Distinct(StringComparer.Ordinal).Where(n => !side.IsDirect(n))];
        var union = Computed(lists.SelectMany(l => l));
        var all = union.Count == 0 ? Expose(side, union) : conditions?.Values(side.Feeds, union) ?? Expose(side, union);
        foreach (var names in lists)
        {
            var computed = all ?? Expose(side, Computed(names));
            result[names] = [.. side.Feeds.Select((feed, i) => feed is null || computed?[i] is not { } run ? null : Compose(side, names, feed, run))];
        }

        return result;
    }

    /// <summary><paramref name="names"/> in one run: direct values from the feed or the weights, the rest from <paramref name="run"/>; null when a direct value is missing (the run could not have been made).</summary>
    private static IReadOnlyDictionary<string, Tensor>? Compose(Side side, IReadOnlyList<string> names, IReadOnlyDictionary<string, Tensor> feed, IReadOnlyDictionary<string, Tensor> run)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if ((side.IsDirect(name) ? side.Direct(name, feed) : run[name]) is not { } value)
            {
                return null;
            }

            values[name] = value;
        }

        return values;
    }

    /// <summary>The values <paramref name="names"/> take in each sample's run of the side's main graph (null where it cannot run); null when the model exposing them does not load.</summary>
    private static List<IReadOnlyDictionary<string, Tensor>?>? Expose(Side side, IReadOnlyList<string> names)
    {
        var values = new List<IReadOnlyDictionary<string, Tensor>?>();
        if (names.Count == 0)
        {
            return [.. side.Feeds.Select(f => f is null ? null : (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor>())];
        }

        try
        {
            using var session = ModelSession.Create(side.WithOutputs(names), Reference);
            foreach (var feed in side.Feeds)
            {
                try
                {
                    values.Add(feed is null ? null : session.Run(Filter(feed, session), names));
                }
                catch (OnnxRuntimeException)
                {
                    values.Add(null);
                }
            }
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }

        return values;
    }

    private static Dictionary<string, DataType> Types(IReadOnlyDictionary<string, Tensor> values) =>
        values.ToDictionary(p => p.Key, p => p.Value.ElementType, StringComparer.Ordinal);

    private static Dictionary<string, Tensor> Filter(IReadOnlyDictionary<string, Tensor> feed, ModelSession session) =>
        feed.Where(i => session.FeedNames.Contains(i.Key)).ToDictionary(StringComparer.Ordinal);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
