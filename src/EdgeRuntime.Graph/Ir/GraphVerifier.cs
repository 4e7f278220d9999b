namespace EdgeRuntime.Graph.Ir;

/// <summary>The IR broke one of its invariants; the message says which and where.</summary>
public sealed class InvalidGraphException(string message) : Exception(message);

/// <summary>
/// Checks the IR's invariants: unique names, single assignment, every read defined and visible, use lists
/// that match the inputs, no cycles, element types that agree where operators require it. Passes are run
/// under it in tests; a failure names the pass, the value or node, and the rule.
/// </summary>
public static class GraphVerifier
{
    private static readonly HashSet<string> SameTypeOps = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "MatMul", "Gemm", "Conv", "ConvTranspose", "Sum", "Max", "Min", "Mean", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
    };

    /// <summary>Every problem found; empty when the model is sound.</summary>
    public static IReadOnlyList<string> Verify(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var problems = new List<string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var graph in model.Graph.SelfAndDescendants())
        {
            VerifyGraph(graph, names, problems);
        }

        return problems;
    }

    /// <summary>Throws <see cref="InvalidGraphException"/> listing the problems, prefixed by <paramref name="context"/>.</summary>
    public static void ThrowIfInvalid(Model model, string context)
    {
        var problems = Verify(model);
        if (problems.Count > 0)
        {
            throw new InvalidGraphException($"{context}: {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? $" (and {problems.Count - 10} more)" : string.Empty)}");
        }
    }

    private static void VerifyGraph(Graph graph, Dictionary<string, string> names, List<string> problems)
    {
        var nodes = graph.Nodes.ToHashSet();
        foreach (var value in graph.Values)
        {
            if (!names.TryAdd(value.Name, graph.Name))
            {
                problems.Add($"value name '{value.Name}' is used in graph '{names[value.Name]}' and again in '{graph.Name}'");
            }

            var definitions = (value.Producer is null ? 0 : 1) + (value.Initializer is null ? 0 : 1) + (value.IsGraphInput && value.Initializer is null ? 1 : 0);
            if (definitions != 1)
            {
                problems.Add($"value '{value.Name}' has {definitions} definitions (producer, initializer, input); it must have exactly one");
            }

            if (value.Producer is { } producer && (!nodes.Contains(producer) || !producer.Outputs.Contains(value)))
            {
                problems.Add($"value '{value.Name}' names producer {producer}, which is not in graph '{graph.Name}' or does not output it");
            }

            if (value.Initializer is { } tensor && value.Type is TensorType declared && declared.ElementType != tensor.ElementType)
            {
                problems.Add($"initializer '{value.Name}' holds {DataTypes.Name(tensor.ElementType)} but is typed {declared}");
            }

            foreach (var use in value.Uses)
            {
                if (use.InputIndex >= use.Node.Inputs.Count || use.Node.Inputs[use.InputIndex] != value)
                {
                    problems.Add($"value '{value.Name}' lists a use by {use.Node} input {use.InputIndex}, which reads something else");
                }
                else if (!use.Node.Owner.Nodes.Contains(use.Node))
                {
                    problems.Add($"value '{value.Name}' is used by {use.Node}, which is no longer in a graph");
                }
            }
        }

        foreach (var node in graph.Nodes)
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i] is not { } input)
                {
                    continue;
                }

                if (!graph.IsVisible(input) || input.Owner.FindValue(input.Name) != input)
                {
                    problems.Add($"{node} input {i} reads '{input.Name}', which is not defined in its scope");
                }
                else if (!input.Uses.Contains(new ValueUse(node, i)))
                {
                    problems.Add($"{node} input {i} reads '{input.Name}', whose use list does not know it");
                }
            }

            foreach (var output in node.Outputs)
            {
                if (output is not null && (output.Producer != node || output.Owner != graph))
                {
                    problems.Add($"{node} outputs '{output.Name}', which names another producer");
                }
            }

            if (SameTypeOps.Contains(node.OpType) && node.Domain.Length == 0)
            {
                var types = node.Inputs.Take(node.Is("Gemm") || node.Is("Conv") || node.Is("ConvTranspose") ? 3 : node.Inputs.Count)
                    .Select(v => v?.TensorType?.ElementType ?? DataType.Undefined)
                    .Where(t => t != DataType.Undefined)
                    .Distinct()
                    .ToList();
                if (types.Count > 1)
                {
                    problems.Add($"{node} mixes element types {string.Join(", ", types.Select(DataTypes.Name))}");
                }
            }
        }

        foreach (var output in graph.Outputs)
        {
            if (!graph.IsVisible(output) || output.Owner.FindValue(output.Name) != output)
            {
                problems.Add($"graph '{graph.Name}' output '{output.Name}' is not defined");
            }
        }

        try
        {
            graph.TopologicalOrder();
        }
        catch (GraphCycleException ex)
        {
            problems.Add(ex.Message);
        }
    }
}
