using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Pruning;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Testing.Fuzzing;

/// <summary>
/// Shrinks a failing generated model to a small one that still fails the same way (delta debugging over the graph):
/// drops outputs, replaces a computed value by the constant it always is, or by a new input fed with exactly the values
/// it took (so what stays keeps its meaning), or by one of its node's inputs of the same type and shape, and prunes
/// what no output needs; until nothing more can go.
/// </summary>
public static class FuzzMinimiser
{
    private static readonly SessionSettings Reference = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };

    /// <summary>The smallest model found for which <paramref name="fails"/> still holds (the original when nothing could go).</summary>
    public static FuzzCase Minimise(FuzzCase failing, Func<FuzzCase, bool> fails, int maxRounds = 6)
    {
        ArgumentNullException.ThrowIfNull(failing);
        ArgumentNullException.ThrowIfNull(fails);
        var current = failing;
        for (var round = 0; round < maxRounds; round++)
        {
            var before = Size(current);
            current = DropOutputs(current, fails);
            current = ReplaceValues(current, fails);
            if (Size(current) >= before)
            {
                break;
            }
        }

        return current;
    }

    private static int Size(FuzzCase fuzzCase) => OnnxModelReader.Read(fuzzCase.Model, "size", null).CountNodes();

    private static FuzzCase DropOutputs(FuzzCase current, Func<FuzzCase, bool> fails)
    {
        for (var i = OnnxModelReader.Read(current.Model, "outputs", null).Graph.Outputs.Count - 1; i >= 0; i--)
        {
            var model = OnnxModelReader.Read(current.Model, "candidate", null);
            if (model.Graph.Outputs.Count <= 1)
            {
                break;
            }

            var outputs = model.Graph.Outputs.ToList();
            outputs.RemoveAt(i);
            model.Graph.SetOutputs(outputs);
            if (Rebuild(current, model) is { } smaller && Try(smaller, fails))
            {
                current = smaller;
            }
        }

        return current;
    }

    private static FuzzCase ReplaceValues(FuzzCase current, Func<FuzzCase, bool> fails)
    {
        var names = OnnxModelReader.Read(current.Model, "names", null).Graph.TopologicalOrder()
            .Where(n => n.Outputs.Count == 1 && n.Outputs[0] is not null)
            .Select(n => n.Name)
            .Reverse()
            .ToList();
        foreach (var name in names)
        {
            foreach (var attempt in new[] { "constant", "input", "bypass" })
            {
                var model = OnnxModelReader.Read(current.Model, "candidate", null);
                if (model.Graph.Nodes.FirstOrDefault(n => n.Name == name) is not { } node || !OperatorPurity.IsPure(node))
                {
                    break;
                }

                if (Replace(current, model, node, attempt) is { } smaller && Try(smaller, fails))
                {
                    current = smaller;
                    break;
                }
            }
        }

        return current;
    }

    private static FuzzCase? Replace(FuzzCase current, Model model, Node node, string how)
    {
        var graph = model.Graph;
        var output = node.Output;
        var values = ValuesOf(current, output.Name);
        if (values is null)
        {
            return null;
        }

        var extraFeeds = new Dictionary<string, IReadOnlyList<Tensor>>(StringComparer.Ordinal);
        Value replacement;
        switch (how)
        {
            case "constant" when values.Skip(1).All(v => v.ContentEquals(values[0])):
                replacement = graph.AddInitializer(graph.UniqueName($"{output.Name}_value"), values[0]);
                break;
            case "input" when values.All(v => v.Dims.SequenceEqual(values[0].Dims)):
                // Only where every input set gives it one shape: the declared shape is then exact, and a verifier designing
                // its own input sets from the declaration feeds what the rest of the graph accepts.
                replacement = graph.AddInput(graph.UniqueName($"{output.Name}_in"), new TensorType(values[0].ElementType, values[0].Shape));
                extraFeeds[replacement.Name] = values;
                break;
            case "bypass" when node.Inputs.FirstOrDefault(i => i is not null && i.Owner == graph && PassHelpers.SameKnownShape(i, output) && i.TensorType!.ElementType == output.TensorType!.ElementType) is { } input:
                replacement = input;
                break;
            default:
                return null;
        }

        graph.ReplaceAllUses(output, replacement);
        return Rebuild(current, model, extraFeeds);
    }

    /// <summary>The values a main-graph value takes on each feed, from a run of the current model; null where it cannot be told.</summary>
    private static List<Tensor>? ValuesOf(FuzzCase current, string name)
    {
        try
        {
            using var session = ModelSession.Create(OnnxSubgraphs.WithOutputs(current.Model, [name]), Reference);
            return [.. current.Feeds.Select(f => session.Run(f.Inputs.Where(i => session.FeedNames.Contains(i.Key)).ToDictionary(StringComparer.Ordinal), [name])[name])];
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or ArgumentException or OnnxFormatException)
        {
            return null;
        }
    }

    private static FuzzCase? Rebuild(FuzzCase current, Model model, IReadOnlyDictionary<string, IReadOnlyList<Tensor>>? extraFeeds = null)
    {
        try
        {
            Graph.Shapes.ShapeInference.Run(model);
            var context = new PassContext();
            new EliminateDeadNodes().Run(model, context);
            new RemoveUnusedInitializers().Run(model, context);
            foreach (var unused in model.Graph.Inputs.Where(i => i.Initializer is null && !i.IsUsed).ToList())
            {
                model.Graph.RemoveValue(unused);
            }

            var inputs = model.Graph.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var outputs = model.Graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            var feeds = current.Feeds.Select((f, index) =>
            {
                var kept = f.Inputs.Where(i => inputs.Contains(i.Key)).ToDictionary(StringComparer.Ordinal);
                foreach (var (name, values) in extraFeeds ?? new Dictionary<string, IReadOnlyList<Tensor>>())
                {
                    kept[name] = values[index];
                }

                return new FuzzFeed(f.Label, kept);
            }).ToList();
            return current with
            {
                Model = OnnxModelWriter.ToBytes(model),
                Feeds = feeds,
                QuantisedOutputs = current.QuantisedOutputs.Where(q => outputs.Contains(q.Key)).ToDictionary(StringComparer.Ordinal),
                RandomOutputs = current.RandomOutputs.Where(outputs.Contains).ToHashSet(StringComparer.Ordinal),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or InvalidGraphException)
        {
            return null;
        }
    }

    private static bool Try(FuzzCase candidate, Func<FuzzCase, bool> fails)
    {
        try
        {
            return fails(candidate);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }
}
