using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Checking;

/// <summary>
/// Compares the types a model declares for computed values (graph outputs, value_info) with what shape inference
/// derives from the operators alone. A conflict — another element type, another rank, another known size — means a
/// declaration no run can satisfy (a folded rank, a random operator's dtype ignored). Unknown on either side is no
/// conflict. <see cref="Check"/> infers into the model and then puts every declared type back, so the model reads as
/// before (callers may go on using its declarations).
/// </summary>
public static class DeclaredTypeCheck
{
    /// <summary>Every conflict found, one line each; empty when none.</summary>
    public static IReadOnlyList<string> Check(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var declared = new List<(Value Value, TensorType Type)>();
        var asDeclared = new List<(Value Value, Ir.ValueType? Type)>();
        foreach (var graph in model.Graph.SelfAndDescendants())
        {
            foreach (var node in graph.Nodes)
            {
                foreach (var output in node.Outputs.OfType<Value>())
                {
                    if (output.Type is TensorType type)
                    {
                        declared.Add((output, type));
                    }

                    asDeclared.Add((output, output.Type));
                    output.Type = null;
                }
            }
        }

        ShapeInference.Run(model);
        var problems = new List<string>();
        foreach (var (value, type) in declared)
        {
            if (value.Type is TensorType inferred && Conflict(type, inferred) is { } conflict)
            {
                var producer = value.Producer is { } node ? $" ({node.OpType} '{node.Name}')" : string.Empty;
                problems.Add($"value '{value.Name}'{producer} is declared {type} but its operator gives {inferred}: {conflict}");
            }
        }

        foreach (var (value, type) in asDeclared)
        {
            value.Type = type;
        }

        return problems;
    }

    private static string? Conflict(TensorType declared, TensorType inferred)
    {
        if (declared.ElementType != DataType.Undefined && inferred.ElementType != DataType.Undefined && declared.ElementType != inferred.ElementType)
        {
            return "element types differ";
        }

        if (declared.Shape is not { } a || inferred.Shape is not { } b)
        {
            return null;
        }

        if (a.Rank != b.Rank)
        {
            return "ranks differ";
        }

        for (var i = 0; i < a.Rank; i++)
        {
            if (a.Dims[i].Value is { } x && b.Dims[i].Value is { } y && x != y)
            {
                return $"dimension {i} is {x}, not {y}";
            }
        }

        return null;
    }
}
