using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Drops initializers nothing reads, including reads from inside subgraphs.
/// <code>
/// before:  W1 → Conv      W_old (read by nobody)
/// after:   W1 → Conv
/// </code>
/// Exact: an unread constant cannot affect any output. Initializers that are also graph inputs are left to
/// freeze-initializer-inputs, since dropping them would change the model's interface. Preserved ones stay.
/// </summary>
public sealed class RemoveUnusedInitializers : GraphPass
{
    public override string Name => "remove-unused-initializers";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override bool RewritesInitializers => true;

    public override string Description => "Drops initializers that nothing reads.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var changed = false;
        foreach (var graph in model.Graph.SelfAndDescendants().ToList())
        {
            foreach (var initializer in graph.Initializers.Where(v => !v.IsUsed && !v.IsGraphInput && !context.IsPreserved(v)).ToList())
            {
                graph.RemoveValue(initializer);
                changed = true;
            }
        }

        return changed;
    }
}
