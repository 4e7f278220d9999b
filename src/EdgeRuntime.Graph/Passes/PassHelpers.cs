using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Passes;

/// <summary>Small facts and rewrites several passes share.</summary>
public static class PassHelpers
{
    /// <summary>Whether two runs of <paramref name="node"/> on the same inputs may differ (see <see cref="OperatorPurity"/>).</summary>
    public static bool IsNonDeterministic(Node node) => !OperatorPurity.IsPure(node);

    /// <summary>Every node of the model, subgraphs included.</summary>
    public static IEnumerable<Node> AllNodes(Model model) => model.Graph.SelfAndDescendants().SelectMany(g => g.Nodes).ToList();

    /// <summary>
    /// Whether <paramref name="node"/>, which computes its output as an unchanged copy of <paramref name="input"/>,
    /// can be removed by pointing readers at the input. Not when the output is a graph output that the input
    /// cannot stand in for (a graph input, an initializer, another output, or an outer-scope value): the
    /// output's name is part of the graph's interface, and an Identity would have to come back.
    /// </summary>
    public static bool CanBypass(Node node, Value input)
    {
        var output = node.Output;
        if (!output.IsGraphOutput)
        {
            return true;
        }

        return input.Owner == node.Owner && input.Producer is not null && !input.IsGraphOutput;
    }

    /// <summary>Removes <paramref name="node"/> after sending every reader of its output to <paramref name="input"/>.</summary>
    public static void Bypass(Node node, Value input, PassContext context)
    {
        var graph = node.Owner;
        graph.ReplaceAllUses(node.Output, input);
        graph.RemoveNode(node);
        if (input.Producer is { } producer)
        {
            context.Touch(producer);
        }
    }

    /// <summary>The constant content of a value (initializer, Constant node), or null.</summary>
    public static Tensor? Constant(Value? value) => value is null ? null : ConstantValues.Of(value);

    /// <summary>Whether every element of <paramref name="tensor"/> equals <paramref name="scalar"/>.</summary>
    public static bool IsFilledWith(Tensor tensor, double scalar) =>
        tensor.ElementType != DataType.String && tensor.ElementType != DataType.Bool && tensor.ToDoubleArray().All(v => v == scalar);

    /// <summary>Whether a value's shape is fully known and equal to <paramref name="other"/>'s.</summary>
    public static bool SameKnownShape(Value? value, Value? other) =>
        value?.TensorType?.Shape is { IsFullyKnown: true } a && other?.TensorType?.Shape is { IsFullyKnown: true } b && a.Equals(b);

    /// <summary>Adds an initializer to <paramref name="graph"/> named after <paramref name="hint"/>.</summary>
    public static Value AddConstant(Ir.Graph graph, string hint, Tensor tensor) => graph.AddInitializer(graph.UniqueName(hint), tensor);
}
