using System.Text;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Computes a value once when several nodes compute it from the same inputs with the same attributes.
/// <code>
/// before:  s1 = Shape(x)   s2 = Shape(x)   a = Gather(s1, 0)   b = Gather(s2, 0)
/// after:   s1 = Shape(x)                   a = Gather(s1, 0)   b → a
/// </code>
/// Exact for deterministic operators: same operator, same attributes, same input values give the same
/// outputs. Random operators and operators with subgraphs are left alone.
/// </summary>
public sealed class EliminateCommonSubexpressions : GraphPass
{
    public override string Name => "eliminate-common-subexpressions";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override string Description => "Merges nodes that compute the same thing from the same inputs.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var graph in model.Graph.SelfAndDescendants().ToList())
        {
            var seen = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
            foreach (var node in graph.TopologicalOrder())
            {
                if (PassHelpers.IsNonDeterministic(node) || node.Subgraphs.Any() || node.Outputs.Count == 0 || node.Outputs.Any(o => o is null))
                {
                    continue;
                }

                var key = Signature(node);
                if (!seen.TryGetValue(key, out var candidates))
                {
                    seen[key] = [node];
                    continue;
                }

                var twin = candidates.FirstOrDefault(c => SameAttributes(c, node));
                if (twin is null || node.Outputs.Any(o => o!.IsGraphOutput))
                {
                    candidates.Add(node);
                    continue;
                }

                for (var i = 0; i < node.Outputs.Count; i++)
                {
                    graph.ReplaceAllUses(node.Outputs[i]!, twin.Outputs[i]!);
                }

                graph.RemoveNode(node);
                context.Touch(twin);
                changed = true;
            }
        }

        return changed;
    }

    private static string Signature(Node node)
    {
        var text = new StringBuilder();
        text.Append(node.Domain).Append(':').Append(node.OpType).Append('(');
        foreach (var input in node.Inputs)
        {
            text.Append(input?.Name ?? string.Empty).Append(',');
        }

        text.Append(")[");
        foreach (var attribute in node.Attributes)
        {
            text.Append(attribute.Name).Append('=').Append(AttributeText(attribute)).Append(';');
        }

        return text.Append(']').Append(node.Outputs.Count).ToString();
    }

    private static string AttributeText(Ir.Attribute attribute) => attribute.Kind switch
    {
        AttributeKind.Float => attribute.Float.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        AttributeKind.Int => attribute.Int.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AttributeKind.String => Convert.ToBase64String(attribute.Bytes.Span),
        AttributeKind.Floats => string.Join(",", attribute.Floats.Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        AttributeKind.Ints => string.Join(",", attribute.Ints),
        AttributeKind.Strings => string.Join(",", attribute.Strings.Select(s => Convert.ToBase64String(s.Span))),
        AttributeKind.Tensor => $"#{attribute.Tensor.ContentHash()}",
        _ => $"@{attribute.Kind}",
    };

    /// <summary>Tensor attributes compared by content (the signature only hashed them).</summary>
    private static bool SameAttributes(Node a, Node b)
    {
        foreach (var attribute in a.Attributes)
        {
            var other = b.Attribute(attribute.Name);
            if (other is null || other.Kind != attribute.Kind)
            {
                return false;
            }

            if (attribute.Kind == AttributeKind.Tensor && !attribute.Tensor.ContentEquals(other.Tensor))
            {
                return false;
            }

            if (attribute.Kind is AttributeKind.Tensors or AttributeKind.Opaque)
            {
                return false;
            }
        }

        return true;
    }
}
