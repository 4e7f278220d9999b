using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// Which initializers a device trains. The default follows TinyTL (Cai et al., "TinyTL: Reduce Memory, Not Parameters
/// for Efficient On-Device Learning", NeurIPS 2020): updating biases needs no stored activations for the weight
/// gradients, so training the biases plus the last layer adapts a model at a fraction of full training's memory.
/// </summary>
public static class TrainableSelection
{
    private static readonly HashSet<string> ShapeOnly = new(StringComparer.Ordinal) { "Reshape", "Transpose", "Identity", "Cast", "Squeeze", "Unsqueeze", "Flatten" };

    private static readonly HashSet<string> Linear = new(StringComparer.Ordinal) { "MatMul", "Gemm", "Conv", "ConvTranspose" };

    /// <summary>
    /// The head and every bias: the weights of the last Gemm/MatMul on each path to a graph output, with the
    /// initializer added right after it (the head's bias), plus every bias of the model — a floating-point initializer
    /// with at most one dimension above 1 added to a MatMul/Gemm/Conv/ConvTranspose result, a Conv's or Gemm's bias
    /// input, or the B (β) input of a BatchNormalization, LayerNormalization, InstanceNormalization or
    /// GroupNormalization. Weights reached through shape-only operators (Reshape, Transpose, …) count.
    /// Names in the model's initializer order; empty when the model has none of these.
    /// </summary>
    public static IReadOnlyList<string> DefaultHead(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var chosen = new HashSet<Value>();
        foreach (var head in HeadNodes(graph))
        {
            var weights = head.Is("Gemm") ? head.Inputs.Take(3) : head.Inputs.Take(2);
            chosen.UnionWith(weights.Select(Parameter).OfType<Value>());
            foreach (var use in head.Output.Uses.Where(u => u.Node.Is("Add")))
            {
                chosen.UnionWith(use.Node.Inputs.Where(i => i != head.Output).Select(Parameter).OfType<Value>());
            }
        }

        foreach (var node in graph.Nodes)
        {
            chosen.UnionWith(Biases(node).Select(Parameter).OfType<Value>().Where(IsVectorLike));
        }

        return [.. graph.Initializers.Where(chosen.Contains).Select(v => v.Name)];
    }

    /// <summary>Checks a configured list: every name must be a floating-point initializer of the main graph. Names in initializer order, without repeats.</summary>
    /// <exception cref="TrainingGraphException">A name is not such an initializer (one line naming it and what it is instead).</exception>
    public static IReadOnlyList<string> Named(Model model, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        var graph = model.Graph;
        var wanted = new HashSet<Value>();
        foreach (var name in names)
        {
            var value = graph.FindValue(name);
            if (value?.Initializer is { } tensor)
            {
                if (!DataTypes.IsFloatingPoint(tensor.ElementType))
                {
                    throw new TrainingGraphException($"trainable '{name}': it is a {DataTypes.Name(tensor.ElementType)} initializer; only floating-point initializers can be trained");
                }

                wanted.Add(value);
                continue;
            }

            throw new TrainingGraphException($"trainable '{name}': " + (value switch
            {
                null => "the model's main graph has no initializer of that name",
                { Producer: { } producer } when producer.Is("Constant") => "it is the output of a Constant node, not an initializer (run the constants-to-initializers pass first)",
                { Producer: { } producer } => $"it is computed by node '{producer.Name}' ({producer.OpType}), not an initializer",
                _ => "it is a graph input, not an initializer",
            }));
        }

        return [.. graph.Initializers.Where(wanted.Contains).Select(v => v.Name)];
    }

    /// <summary>For each graph output, the Gemm/MatMul nodes nearest to it on every path (the search stops at them).</summary>
    private static HashSet<Node> HeadNodes(Ir.Graph graph)
    {
        var heads = new HashSet<Node>();
        var visited = new HashSet<Node>();
        var pending = new Queue<Value>(graph.Outputs);
        while (pending.TryDequeue(out var value))
        {
            if (value.Producer is not { } node || !visited.Add(node))
            {
                continue;
            }

            if (node.Is("MatMul") || node.Is("Gemm"))
            {
                heads.Add(node);
                continue;
            }

            foreach (var input in node.Inputs.OfType<Value>())
            {
                pending.Enqueue(input);
            }
        }

        return heads;
    }

    /// <summary>The inputs of <paramref name="node"/> that are biases by position or by being added to a linear layer's result.</summary>
    private static IEnumerable<Value?> Biases(Node node)
    {
        if (node.Domain.Length != 0)
        {
            return [];
        }

        return node.OpType switch
        {
            "Conv" or "ConvTranspose" or "Gemm" => [node.Input(2)],
            "BatchNormalization" or "LayerNormalization" or "InstanceNormalization" or "GroupNormalization" => [node.Input(2)],
            "Add" => node.Inputs.Where((_, i) => node.Input(1 - i)?.Producer is { } producer && producer.Domain.Length == 0 && Linear.Contains(producer.OpType)),
            _ => [],
        };
    }

    /// <summary>The floating-point initializer behind <paramref name="value"/>, through shape-only operators; null otherwise.</summary>
    private static Value? Parameter(Value? value)
    {
        while (value is not null)
        {
            if (value.Initializer is { } tensor)
            {
                return DataTypes.IsFloatingPoint(tensor.ElementType) ? value : null;
            }

            value = value.Producer is { } producer && producer.Domain.Length == 0 && ShapeOnly.Contains(producer.OpType) ? producer.Input(0) : null;
        }

        return null;
    }

    private static bool IsVectorLike(Value initializer) => initializer.Initializer!.Dims.Count(d => d > 1) <= 1;
}
