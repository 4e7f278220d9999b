using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Removes nodes none of whose outputs is read.
/// <code>
/// before:  x → Conv → a → Relu → y(output)        x → Shape → s   (s read by nobody)
/// after:   x → Conv → a → Relu → y(output)
/// </code>
/// Exact: ONNX operators have no side effects, so a result nobody reads cannot change any output. Runs in
/// every subgraph too; a node whose subgraph reads an outer value keeps that value alive.
/// </summary>
public sealed class EliminateDeadNodes : GraphPass
{
    public override string Name => "eliminate-dead-nodes";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override string Description => "Removes nodes whose outputs nothing reads.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var graph in model.Graph.SelfAndDescendants().Reverse().ToList())
        {
            foreach (var node in graph.TopologicalOrder().Reverse())
            {
                if (node.Outputs.All(o => o is null || !o.IsUsed))
                {
                    graph.RemoveNode(node);
                    changed = true;
                }
            }
        }

        return changed;
    }
}
