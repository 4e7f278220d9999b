using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Passes.Folding;

/// <summary>
/// Computes, once and ahead of time, every node whose inputs are all constant, and replaces its outputs by
/// the results.
/// <code>
/// before:  s = Sqrt(const 2.0)   k = Div(const 1.0, s)   y = Mul(x, k)
/// after:   y = Mul(x, const 0.70710677)
/// </code>
/// Exact: the evaluator runs the same operator implementation the model would run. Random operators and
/// nodes with subgraphs are never folded, and neither is any output larger than the size limit or of unknown
/// size (a ConstantOfShape can declare gigabytes in a few bytes). Nothing that reads a preserved initializer is folded.
/// </summary>
public sealed class FoldConstants : GraphPass
{
    public override string Name => "fold-constants";

    public override PassKind Kind => PassKind.Fold;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override bool RewritesInitializers => true;

    public override string Description => "Evaluates subgraphs whose inputs are all constant and stores the results (within a size limit).";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Evaluator is null)
        {
            return false;
        }

        var changed = false;
        foreach (var graph in model.Graph.SelfAndDescendants().ToList())
        {
            changed |= FoldGraph(model, graph, context);
        }

        return changed;
    }

    private static bool FoldGraph(Model model, Ir.Graph graph, PassContext context)
    {
        var foldable = new List<Node>();
        var willBeConstant = new HashSet<Value>();
        foreach (var node in graph.TopologicalOrder())
        {
            if (context.ReadsPreserved(node) || !IsFoldable(node, willBeConstant, context.FoldSizeLimitBytes))
            {
                continue;
            }

            foldable.Add(node);
            foreach (var output in node.Outputs.OfType<Value>())
            {
                willBeConstant.Add(output);
            }
        }

        if (foldable.Count == 0)
        {
            return false;
        }

        // Only results read outside the folded set need to be materialised.
        var folded = foldable.ToHashSet();
        // A subgraph's outputs stay computed: a constant there gains nothing (an Identity must carry the name)
        // and would show the runtime's load-time checks a shape the original never revealed.
        var needed = foldable.SelectMany(n => n.Outputs.OfType<Value>())
            .Where(v => (v.IsGraphOutput && graph.Parent is null) || v.Uses.Any(u => !folded.Contains(u.Node)))
            .ToList();
        if (needed.Count == 0)
        {
            return false;
        }

        var results = context.Evaluator!.Evaluate(model, foldable, needed);
        if (results is null)
        {
            context.Log?.Invoke($"fold-constants: the runtime could not evaluate {foldable.Count} constant nodes in graph '{graph.Name}'; they stay");
            return false;
        }

        var changed = false;
        foreach (var value in needed)
        {
            if (!results.TryGetValue(value, out var tensor) || tensor.ByteLength > context.FoldSizeLimitBytes)
            {
                continue;
            }

            var constant = PassHelpers.AddConstant(graph, $"{value.Name}_folded", tensor);
            graph.ReplaceAllUses(value, constant);
            context.Touch(value.Producer!);
            changed = true;
        }

        return changed;
    }

    private static bool IsFoldable(Node node, HashSet<Value> willBeConstant, long sizeLimit)
    {
        if (node.Is("Constant") || PassHelpers.IsNonDeterministic(node) || node.Subgraphs.Any() || node.Outputs.Count == 0)
        {
            return false;
        }

        // An Identity that gives a constant a graph output's name is what folding leaves behind; folding it again would loop.
        if (node.Is("Identity") && node.Output.IsGraphOutput)
        {
            return false;
        }

        if (!node.Inputs.All(i => i is null || willBeConstant.Contains(i) || ConstantValues.Of(i) is not null))
        {
            return false;
        }

        if (node.Inputs.All(i => i is null))
        {
            // Generators without inputs (EyeLike aside, they take attributes only) are cheap to keep.
            return false;
        }

        foreach (var output in node.Outputs)
        {
            if (output?.TensorType is not { } type || type.Shape?.ElementCount() is not { } count || type.ElementType is DataType.Undefined or DataType.String)
            {
                return false;
            }

            if (DataTypes.ByteSize(type.ElementType, count) > sizeLimit)
            {
                return false;
            }
        }

        return true;
    }
}
