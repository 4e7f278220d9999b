using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Collapses a chain of shape-only operators ending in a Reshape to a constant shape into that one Reshape.
/// <code>
/// before:  y = Reshape(Flatten(Unsqueeze(Reshape(x, s1), axes)), s2)      s2 constant, without 0 entries
/// after:   y = Reshape(x, s2)
/// </code>
/// Exact: Reshape, Flatten, Squeeze and Unsqueeze keep the elements in row-major order and only relabel
/// dimensions, so the last target shape alone decides the result. A 0 in s2 copies a dimension of its direct
/// input, which would change meaning, so such targets are left alone.
/// </summary>
public sealed class FuseConsecutiveReshapes : GraphPass
{
    private static readonly HashSet<string> ShapeOnly = new(StringComparer.Ordinal) { "Reshape", "Flatten", "Squeeze", "Unsqueeze" };

    public override string Name => "fuse-consecutive-reshapes";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O2;

    public override string Description => "Collapses Reshape/Flatten/(Un)Squeeze chains into one Reshape.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var last in PassHelpers.AllNodes(model).Where(n => n.Is("Reshape")).ToList())
        {
            if (!last.Owner.Nodes.Contains(last) || PassHelpers.Constant(last.Input(1))?.ToInt64Array() is not { } target ||
                (target.Contains(0) && last.GetInt("allowzero", 0) == 0))
            {
                continue;
            }

            var source = last.Input(0);
            var absorbed = new List<Node>();
            while (source?.Producer is { } producer && producer.Domain.Length == 0 && ShapeOnly.Contains(producer.OpType) &&
                   source.Uses.Count == 1 && !source.IsGraphOutput)
            {
                absorbed.Add(producer);
                source = producer.Input(0);
            }

            if (absorbed.Count == 0 || source is null)
            {
                continue;
            }

            last.SetInput(0, source);
            foreach (var node in absorbed)
            {
                node.Owner.RemoveNode(node);
            }

            context.Touch(last);
            changed = true;
        }

        return changed;
    }
}
