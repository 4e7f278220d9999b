using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Composes a Transpose that feeds only another Transpose into one, or removes both when they cancel.
/// <code>
/// before:  y = Transpose(Transpose(x, perm=[0,2,3,1]), perm=[0,3,1,2])
/// after:   y = x
/// before:  y = Transpose(Transpose(x, p), q)
/// after:   y = Transpose(x, r)     r[i] = p[q[i]]
/// </code>
/// Exact: transposes only move elements; the composition moves them to the same places.
/// </summary>
public sealed class FuseConsecutiveTransposes : GraphPass
{
    public override string Name => "fuse-consecutive-transposes";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O2;

    public override string Description => "Composes back-to-back Transposes, removing pairs that cancel.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var second in PassHelpers.AllNodes(model).Where(n => n.Is("Transpose")).ToList())
        {
            if (!second.Owner.Nodes.Contains(second) || second.Input(0)?.Producer is not { } first || !first.Is("Transpose") ||
                first.Output.Uses.Count != 1 || first.Output.IsGraphOutput || first.Input(0) is not { } x)
            {
                continue;
            }

            var rank = x.TensorType?.Shape?.Rank ?? first.GetInts("perm")?.Length ?? second.GetInts("perm")?.Length;
            if (rank is null)
            {
                continue;
            }

            var p = first.GetInts("perm")?.ToArray() ?? [.. Enumerable.Range(0, rank.Value).Reverse().Select(i => (long)i)];
            var q = second.GetInts("perm")?.ToArray() ?? [.. Enumerable.Range(0, rank.Value).Reverse().Select(i => (long)i)];
            var composed = q.Select(i => p[i]).ToArray();
            var graph = second.Owner;
            if (composed.Select((v, i) => v == i).All(b => b))
            {
                if (!PassHelpers.CanBypass(second, x))
                {
                    continue;
                }

                graph.ReplaceAllUses(second.Output, x);
                graph.RemoveNode(second);
                graph.RemoveNode(first);
            }
            else
            {
                var fused = graph.AddNode("Transpose", [x], $"{second.Output.Name}_composed", attributes: [Ir.Attribute.FromInts("perm", composed)]);
                fused.Output.Type = second.Output.Type;
                graph.ReplaceAllUses(second.Output, fused.Output);
                graph.RemoveNode(second);
                graph.RemoveNode(first);
                context.Touch(fused);
            }

            changed = true;
        }

        return changed;
    }
}
