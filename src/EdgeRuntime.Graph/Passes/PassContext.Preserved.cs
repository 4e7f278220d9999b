using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes;

public sealed partial class PassContext
{
    /// <summary>
    /// Initializers the passes must leave alone: same name, same value, still an initializer (and still a graph input
    /// if it was one), never folded, fused or merged into another constant. These are the trainable parameters of
    /// on-device learning: the optimised serving model keeps them under the delivered model's names, so trained values
    /// map onto it by name. Passes whose <see cref="GraphPass.RewritesInitializers"/> is true consult it; the pass
    /// manager checks the promise after every pass. Empty by default.
    /// </summary>
    public IReadOnlySet<string> PreservedInitializers { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is an initializer named in <see cref="PreservedInitializers"/>.</summary>
    public bool IsPreserved(Value? value) => value?.Initializer is not null && PreservedInitializers.Contains(value.Name);

    /// <summary>Whether any of <paramref name="nodes"/> reads a preserved initializer (a rewrite of them would bake it in).</summary>
    public bool ReadsPreserved(params Node?[] nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return PreservedInitializers.Count > 0 && nodes.Any(n => n is not null && n.Inputs.Any(IsPreserved));
    }

    /// <summary>
    /// Values computed from a preserved initializer's content, through any chain of operators (a Shape or Size of it
    /// depends only on its shape, which training does not change, and stops the chain).
    /// </summary>
    public HashSet<Value> DerivedFromPreserved(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var derived = new HashSet<Value>();
        if (PreservedInitializers.Count == 0)
        {
            return derived;
        }

        foreach (var graph in model.Graph.SelfAndDescendants())
        {
            foreach (var node in graph.TopologicalOrder())
            {
                if (!(node.Is("Shape") || node.Is("Size")) && Ir.Graph.ValuesRead(node).Any(v => IsPreserved(v) || derived.Contains(v)))
                {
                    derived.UnionWith(node.Outputs.OfType<Value>());
                }
            }
        }

        return derived;
    }
}
