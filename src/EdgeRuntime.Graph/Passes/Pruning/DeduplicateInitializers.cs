using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Merges initializers with identical type, shape and bytes.
/// <code>
/// before:  axes_1 = [0]  axes_2 = [0]   Unsqueeze(a, axes_1)  Unsqueeze(b, axes_2)
/// after:   axes_1 = [0]                 Unsqueeze(a, axes_1)  Unsqueeze(b, axes_1)
/// </code>
/// Exact: readers see the same bytes. Fewer initializers also let common-subexpression elimination see
/// that two nodes read the same constant. Preserved initializers are neither merged away nor shared: trained, they
/// would no longer equal their twin.
/// </summary>
public sealed class DeduplicateInitializers : GraphPass
{
    public override string Name => "deduplicate-initializers";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override bool RewritesInitializers => true;

    public override string Description => "Merges initializers that hold identical data.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var changed = false;
        foreach (var graph in model.Graph.SelfAndDescendants().ToList())
        {
            var kept = new Dictionary<int, List<Value>>();
            foreach (var initializer in graph.Initializers.Where(v => v.IsConstant && !context.IsPreserved(v)).ToList())
            {
                var tensor = initializer.Initializer!;
                var hash = tensor.ContentHash();
                if (!kept.TryGetValue(hash, out var bucket))
                {
                    kept[hash] = [initializer];
                    continue;
                }

                var twin = bucket.FirstOrDefault(v => v.Initializer!.ContentEquals(tensor));
                if (twin is null || initializer.IsGraphOutput)
                {
                    bucket.Add(initializer);
                    continue;
                }

                graph.ReplaceAllUses(initializer, twin);
                graph.RemoveValue(initializer);
                changed = true;
            }
        }

        return changed;
    }
}
