using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes.Rules;

namespace EdgeRuntime.Graph.Shapes;

/// <summary>
/// Fills in the types of values from their producers' inputs, for the common ONNX operator set, graph by
/// graph in execution order. A declared type is replaced only by one of the same element type and rank that
/// knows more dimensions. Operators without a rule leave their outputs as declared (or unknown).
/// </summary>
public static class ShapeInference
{
    /// <summary>The inferred output types of one node (null entries: unknown).</summary>
    public delegate Ir.ValueType?[] Rule(InferenceContext context);

    private static readonly Dictionary<string, Rule> Rules = BuildRules();

    /// <summary>The operators with a rule, for documentation and tests.</summary>
    public static IReadOnlyCollection<string> SupportedOperators => Rules.Keys;

    /// <summary>
    /// Infers types throughout the model. Returns the values that are computable before run time (constants
    /// and shape arithmetic on known shapes), which the folding pass may turn into constants.
    /// </summary>
    public static IReadOnlyDictionary<Value, Tensor> Run(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var opset = model.OpsetVersion() ?? 1;
        var known = new Dictionary<Value, Tensor>();
        Run(model.Graph, opset, known);
        return known;
    }

    private static void Run(Ir.Graph graph, long opset, Dictionary<Value, Tensor> known)
    {
        Tensor? Known(Value? value) => value is null ? null : known.GetValueOrDefault(value) ?? ConstantValues.Of(value);

        foreach (var node in graph.TopologicalOrder())
        {
            foreach (var subgraph in node.Subgraphs)
            {
                Run(subgraph, opset, known);
            }

            if (node.Domain.Length != 0 || !Rules.TryGetValue(node.OpType, out var rule))
            {
                continue;
            }

            Ir.ValueType?[] inferred;
            try
            {
                inferred = rule(new InferenceContext(node, opset, Known));
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
            {
                // A malformed node: leave its outputs as declared; the runtime will say what is wrong.
                continue;
            }

            for (var i = 0; i < node.Outputs.Count && i < inferred.Length; i++)
            {
                if (node.Outputs[i] is { } output && inferred[i] is { } type)
                {
                    output.Type = Merge(output.Type, type);
                }
            }

            if (node.Outputs.Count == 1 && node.Outputs[0] is { } single && !node.Is("Constant"))
            {
                Tensor? value = null;
                try
                {
                    value = ShapeValuePropagation.Compute(node, Known);
                }
                catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
                {
                    // Malformed shape arithmetic stays unknown.
                }

                if (value is not null)
                {
                    known[single] = value;
                    single.Type = Merge(single.Type, new TensorType(value.ElementType, value.Shape));
                }
            }
        }
    }

    /// <summary>The more informative of a declared and an inferred type.</summary>
    internal static Ir.ValueType Merge(Ir.ValueType? declared, Ir.ValueType inferred)
    {
        if (declared is not TensorType old || inferred is not TensorType fresh)
        {
            return declared ?? inferred;
        }

        var elementType = old.ElementType == DataType.Undefined ? fresh.ElementType : old.ElementType;
        if (old.Shape is null || fresh.Shape is null || old.Shape.Rank != fresh.Shape.Rank)
        {
            return new TensorType(elementType, old.Shape ?? fresh.Shape);
        }

        var dims = old.Shape.Dims.Zip(fresh.Shape.Dims, (a, b) => a.IsKnown ? a : b.IsKnown ? b : a.Symbol is not null ? a : b);
        return new TensorType(elementType, new TensorShape(dims));
    }

    private static Dictionary<string, Rule> BuildRules()
    {
        var rules = new Dictionary<string, Rule>(StringComparer.Ordinal);
        ElementwiseRules.Register(rules);
        LinearAlgebraRules.Register(rules);
        ConvolutionRules.Register(rules);
        ShapeManipulationRules.Register(rules);
        IndexingRules.Register(rules);
        ReductionRules.Register(rules);
        GeneratorRules.Register(rules);
        SequenceModelRules.Register(rules);
        return rules;
    }
}
