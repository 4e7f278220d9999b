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
    }

    /// <summary>For each If node of the main graph whose condition is not constant: how many samples take each branch.</summary>
    public static Dictionary<string, (int Then, int Else)> Taken(Side side)
    {
        var taken = new Dictionary<string, (int Then, int Else)>(StringComparer.Ordinal);
        var ifs = TopLevelIfs(side.Ir);
        if (ifs.Count == 0)
        {
            return taken;
        }

        var conditions = ifs.Select(n => n.Input(0)!.Name).Distinct(StringComparer.Ordinal).ToList();
        foreach (var node in ifs)
        {
            taken[node.Name] = (0, 0);
        }

        try
        {
            using var session = ModelSession.Create(OnnxSubgraphs.WithOutputs(side.Bytes, conditions), Reference);
            foreach (var feed in side.Feeds.OfType<IReadOnlyDictionary<string, Tensor>>())
            {
                Dictionary<string, Tensor> values;
                try
                {
                    values = session.Run(Filter(feed, session), conditions);
                }
                catch (OnnxRuntimeException)
                {
                    continue;
                }

                foreach (var node in ifs)
                {
                    var condition = values[node.Input(0)!.Name];
                    var isTrue = condition.ElementCount > 0 && condition.ToDoubleArray()[0] != 0;
                    var (then, otherwise) = taken[node.Name];
                    taken[node.Name] = isTrue ? (then + 1, otherwise) : (then, otherwise + 1);
                }
            }
        }
        catch (OnnxRuntimeException)
        {
            // The instrumented model did not load: nothing is known about the branches, and every one gets checked.
        }

        return taken;
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

    /// <summary>Verifies <paramref name="checks"/>; null when every branch agrees, else the first disagreement in one line.</summary>
    public static string? Verify(Side original, Side candidate, IReadOnlyList<BranchCheck> checks, Tolerance? tolerance, SessionSettings candidateSettings, List<string> notes, int depth = 0)
    {
        foreach (var check in checks)
        {
            var where = $"{check.Branch} of If '{check.Node}' ({check.Reason}), verified on its own";
            if (!candidate.Ir.Graph.Nodes.Any(n => n.Is("If") && n.Name == check.Node))
            {
                notes.Add($"{where}: the optimised model has no If '{check.Node}' (removed or rewritten), nothing to compare");
                continue;
            }

            var outerOriginal = OnnxSubgraphs.OuterValues(original.Bytes, check.Node, check.Branch) ?? [];
            var outerCandidate = OnnxSubgraphs.OuterValues(candidate.Bytes, check.Node, check.Branch) ?? [];
            var originalValues = Expose(original, outerOriginal);
            var candidateValues = Expose(candidate, outerCandidate);
            var usable = Enumerable.Range(0, original.Feeds.Count).Where(i => originalValues[i] is not null && candidateValues[i] is not null).ToList();
            if (usable.Count == 0)
            {
                notes.Add($"{where}: no sample gives the values it reads");
                continue;
            }

            var originalBranch = OnnxSubgraphs.Standalone(original.Bytes, check.Node, check.Branch, Types(originalValues[usable[0]]!))!;
            var candidateBranch = OnnxSubgraphs.Standalone(candidate.Bytes, check.Node, check.Branch, Types(candidateValues[usable[0]]!));
            if (candidateBranch is null)
            {
                return $"{where}: the optimised If '{check.Node}' has no {check.Branch}";
            }

            var originalIr = OnnxModelReader.Read(originalBranch, "branch", null);
            var candidateIr = OnnxModelReader.Read(candidateBranch, "branch", null);
            ShapeInference.Run(originalIr);
            if (originalIr.Graph.Outputs.Count != candidateIr.Graph.Outputs.Count)
            {
                return $"{where}: it has {candidateIr.Graph.Outputs.Count} outputs instead of {originalIr.Graph.Outputs.Count}";
            }

            ModelSession referenceSession;
            try
            {
                referenceSession = ModelSession.Create(originalBranch, Reference);
            }
            catch (OnnxRuntimeException ex)
            {
                notes.Add($"{where}: ONNX Runtime cannot load the original branch on its own ({OneLine(ex.Message)})");
                continue;
            }

            using (referenceSession)
            {
                ModelSession candidateSession;
                try
                {
                    candidateSession = ModelSession.Create(candidateBranch, candidateSettings);
                }
                catch (OnnxRuntimeException ex)
                {
                    return $"{where}: ONNX Runtime cannot load the optimised branch ({OneLine(ex.Message)})";
                }

                using (candidateSession)
                {
                    var expected = new List<Dictionary<string, Tensor>>();
                    var actual = new List<Dictionary<string, Tensor>>();
                    var labels = new List<string>();
                    var nextOriginal = new List<IReadOnlyDictionary<string, Tensor>?>();
                    var nextCandidate = new List<IReadOnlyDictionary<string, Tensor>?>();
                    foreach (var i in usable)
                    {
                        try
                        {
                            expected.Add(referenceSession.Run(Filter(originalValues[i]!, referenceSession)));
                        }
                        catch (OnnxRuntimeException)
                        {
                            // The original branch cannot run on what this sample gives it: the sample says nothing here.
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

                        labels.Add($"sample {i + 1}");
                        nextOriginal.Add(originalValues[i]);
                        nextCandidate.Add(candidateValues[i]);
                    }

                    if (expected.Count == 0)
                    {
                        notes.Add($"{where}: the original branch cannot run on the values any sample gives it");
                        continue;
                    }

                    // Outer values computed from random operators differ between the two main-graph runs: such outputs
                    // (and those of random operators in the branch) are compared by type and shape only.
                    var randomOuter = outerOriginal.Where(n => original.Ir.Graph.FindValue(n) is { } v && (RandomValues.IsRandom(v) || DependsOn(v, original.RandomInputs))).ToHashSet(StringComparer.Ordinal);
                    for (var k = 0; k < originalIr.Graph.Outputs.Count; k++)
                    {
                        var originalOutput = originalIr.Graph.Outputs[k];
                        var candidateName = candidateIr.Graph.Outputs[k].Name;
                        var random = RandomValues.IsRandom(originalOutput) || DependsOn(originalOutput, randomOuter);
                        var rule = random
                            ? new ToleranceRule(new Tolerance(double.PositiveInfinity, 0), "computed from random values: type and shape only")
                            : ToleranceRule.For(originalOutput, tolerance);
                        var comparison = OutputComparer.Compare(originalOutput.Name, [.. expected.Select(e => e[originalOutput.Name])], [.. actual.Select(a => a[candidateName])], rule, labels);
                        if (!comparison.Passed)
                        {
                            return $"{where}: output {k}: {comparison.Problem}";
                        }
                    }

                    notes.Add($"{where}: agrees on {expected.Count} sample(s)");
                    if (depth + 1 < MaxDepth)
                    {
                        var nestedOriginal = new Side(originalBranch, originalIr, nextOriginal) { RandomInputs = randomOuter };
                        var nestedCandidate = new Side(candidateBranch, candidateIr, nextCandidate);
                        var nested = ChecksFor(originalIr, Taken(nestedOriginal));
                        if (Verify(nestedOriginal, nestedCandidate, nested, tolerance, candidateSettings, notes, depth + 1) is { } failure)
                        {
                            return $"{where}: {failure}";
                        }
                    }
                }
            }
        }

        return null;
    }

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

    /// <summary>The values <paramref name="names"/> take in each sample's run of the side's main graph (null where it cannot run).</summary>
    private static List<IReadOnlyDictionary<string, Tensor>?> Expose(Side side, IReadOnlyList<string> names)
    {
        var values = new List<IReadOnlyDictionary<string, Tensor>?>();
        if (names.Count == 0)
        {
            return [.. side.Feeds.Select(f => f is null ? null : (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor>())];
        }

        try
        {
            using var session = ModelSession.Create(OnnxSubgraphs.WithOutputs(side.Bytes, names), Reference);
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
            return [.. side.Feeds.Select(_ => (IReadOnlyDictionary<string, Tensor>?)null)];
        }

        return values;
    }

    private static Dictionary<string, DataType> Types(IReadOnlyDictionary<string, Tensor> values) =>
        values.ToDictionary(p => p.Key, p => p.Value.ElementType, StringComparer.Ordinal);

    private static Dictionary<string, Tensor> Filter(IReadOnlyDictionary<string, Tensor> feed, ModelSession session) =>
        feed.Where(i => session.FeedNames.Contains(i.Key)).ToDictionary(StringComparer.Ordinal);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
