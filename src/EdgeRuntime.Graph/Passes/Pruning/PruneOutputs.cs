using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Keeps only the outputs a deployment consumes, and splits the graph at an intermediate value when one is
/// named. Everything that fed only the dropped outputs then dies (eliminate-dead-nodes).
/// <code>
/// before:  outputs [last_hidden_state, pooler]      --keep-output pooler
/// after:   outputs [pooler]                         (the path only last_hidden_state needed is gone)
/// </code>
/// Exact for the kept outputs: they are computed by the same nodes as before.
/// </summary>
public sealed class PruneOutputs : GraphPass
{
    public override string Name => "prune-outputs";

    public override PassKind Kind => PassKind.Restructure;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override string Description => "Keeps only the requested outputs (existing outputs or intermediate values) and splits the graph there.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if (context.KeepOutputs.Count == 0)
        {
            return false;
        }

        var graph = model.Graph;
        var wanted = context.KeepOutputs
            .Select(name => graph.FindValue(name) ?? throw new InvalidOperationException($"--keep-output '{name}' names no value of the main graph"))
            .ToList();
        if (wanted.SequenceEqual(graph.Outputs))
        {
            return false;
        }

        graph.SetOutputs(wanted);
        return true;
    }
}
