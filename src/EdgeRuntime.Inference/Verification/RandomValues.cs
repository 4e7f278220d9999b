using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;

namespace EdgeRuntime.Inference.Verification;

/// <summary>Which values a random operator feeds: they draw anew on every run, so no two runs can be compared element by element.</summary>
internal static class RandomValues
{
    /// <summary>The names (of <paramref name="names"/>, values of <paramref name="graph"/>) computed from a random operator.</summary>
    public static HashSet<string> Computed(Graph.Ir.Graph graph, IEnumerable<string> names)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (graph.FindValue(name) is { } value && IsRandom(value))
            {
                result.Add(name);
            }
        }

        return result;
    }

    /// <summary>Whether <paramref name="value"/>'s elements depend on a random operator (Shape and Size of one do not).</summary>
    public static bool IsRandom(Value value) => IsRandom(value, clean: null);

    /// <summary>
    /// <see cref="IsRandom(Value)"/> for several values of one graph, each value upstream of them walked once: a walk
    /// that finds no random operator adds every value it saw to <paramref name="clean"/>, and later walks stop there.
    /// </summary>
    public static bool IsRandom(Value value, HashSet<Value>? clean)
    {
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>([value]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current) || current.Producer is not { } node || clean?.Contains(current) == true)
            {
                continue;
            }

            if (!OperatorPurity.IsPure(node) || node.Subgraphs.SelectMany(g => g.SelfAndDescendants()).SelectMany(g => g.Nodes).Any(n => !OperatorPurity.IsPure(n)))
            {
                return true;
            }

            foreach (var read in node.Is("Shape") || node.Is("Size") ? node.Inputs.Skip(1).OfType<Value>() : Graph.Ir.Graph.ValuesRead(node))
            {
                pending.Push(read);
            }
        }

        clean?.UnionWith(seen);
        return false;
    }
}
