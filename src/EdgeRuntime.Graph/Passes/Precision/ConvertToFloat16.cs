using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Precision;

/// <summary>
/// float16 compute for GPU execution providers, with numerically sensitive operators kept in float32:
/// <code>
/// before:  x:f32 → A → B → C → y:f32                  (A, C ordinary; B sensitive, e.g. Softmax)
/// after:   x:f32 → Cast(f16) → A₁₆ → Cast(f32) → B → Cast(f16) → C₁₆ → Cast(f32) → y:f32
/// </code>
/// float32 initializers and Constant values read by float16 nodes become float16; Cast-to-float32 inside the graph casts
/// to float16 instead. The model's interface (input and output types) is unchanged. Kept in float32
/// (<see cref="KeptInFloat32"/>): reductions and normalisations whose sums or exponentials overflow float16's 65504 or
/// lose its 11-bit mantissa (Softmax, LayerNormalization, ReduceMean/ReduceSum, Exp, Log, Pow, Sqrt, Reciprocal, Erf, the
/// float16 converter of onnxconverter-common keeps a similar list), and operators with float32-only inputs (Resize's
/// scales, Range, ConstantOfShape). Not exact: float16 rounds at 2⁻¹¹ relative; the planner checks the result.
/// Models with subgraphs (If, Loop) are left as they are.
/// </summary>
public sealed class ConvertToFloat16 : GraphPass
{
    /// <summary>Operators left in float32.</summary>
    public static IReadOnlySet<string> KeptInFloat32 { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Softmax", "LogSoftmax", "LayerNormalization", "SkipLayerNormalization", "BatchNormalization", "InstanceNormalization",
        "ReduceMean", "ReduceSum", "ReduceSumSquare", "ReduceL2", "ReduceLogSumExp", "Exp", "Log", "Pow", "Sqrt", "Reciprocal", "Erf",
        "Resize", "Upsample", "Range", "ConstantOfShape", "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "TopK", "NonMaxSuppression",
    };

    public override string Name => "convert-to-float16";

    public override PassKind Kind => PassKind.Precision;

    public override OptimizationLevel Level => OptimizationLevel.O3;

    public override string Description => "float16 compute with sensitive operators in float32 (GPU execution providers).";

    public override bool RewritesInitializers => true;

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var graph = model.Graph;
        if (graph.Nodes.Any(n => n.Subgraphs.Any()) || !graph.Nodes.Any(n => !IsKept(n)))
        {
            return false;
        }

        var half = new Dictionary<Value, Value>();
        var full = new Dictionary<Value, Value>();
        var changed = false;

        // Every float value a float16 node reads becomes float16 once: constants converted, others cast.
        foreach (var node in graph.Nodes.ToList())
        {
            if (IsKept(node))
            {
                continue;
            }

            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i] is { TensorType.ElementType: DataType.Float } input && !ProducedInHalf(input, node))
                {
                    node.SetInput(i, Half(graph, input, half, context));
                    changed = true;
                }
            }

            if (node.Is("Cast") && node.GetInt("to", 0) == (long)DataType.Float)
            {
                node.SetAttribute(Ir.Attribute.FromInt("to", (long)DataType.Float16));
            }

            foreach (var output in node.Outputs.OfType<Value>().Where(o => o.TensorType?.ElementType == DataType.Float))
            {
                output.Type = new TensorType(DataType.Float16, output.TensorType!.Shape);
                changed = true;
            }

            if (node.Is("Constant") && node.Attribute("value") is { Kind: AttributeKind.Tensor } value && value.Tensor.ElementType == DataType.Float)
            {
                node.SetAttribute(Ir.Attribute.FromTensor("value", ToHalf(value.Tensor)));
            }
        }

        // Kept nodes and graph outputs read float32: cast back what is now float16.
        foreach (var node in graph.Nodes.Where(IsKept).ToList())
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i] is { TensorType.ElementType: DataType.Float16 } input && input.Producer is not null)
                {
                    node.SetInput(i, Full(graph, input, full, context));
                }
            }
        }

        foreach (var output in graph.Outputs.ToList().Where(o => o.TensorType?.ElementType == DataType.Float16 && o.Producer is not null))
        {
            var cast = graph.AddNode("Cast", [output], $"{output.Name}_f32", attributes: [Ir.Attribute.FromInt("to", (long)DataType.Float)]);
            cast.Output.Type = new TensorType(DataType.Float, output.TensorType!.Shape);
            graph.ReplaceAllUses(output, cast.Output);
            cast.SetInput(0, output);
            context.Touch(cast);
        }

        return changed;
    }

    private static bool IsKept(Node node) => node.Domain.Length > 0 ? node.OpType is "LayerNormalization" or "SkipLayerNormalization" : KeptInFloat32.Contains(node.OpType);

    // A value a float16 node produced (its type was changed above, or will be when its producer comes).
    private static bool ProducedInHalf(Value value, Node reader) => value.Producer is { } producer && !IsKept(producer) && producer != reader;

    private static Value Half(Ir.Graph graph, Value value, Dictionary<Value, Value> half, PassContext context)
    {
        if (half.TryGetValue(value, out var existing))
        {
            return existing;
        }

        Value result;
        if (value.IsConstant && !context.IsPreserved(value))
        {
            result = PassHelpers.AddConstant(graph, $"{value.Name}_f16", ToHalf(value.Initializer!));
        }
        else
        {
            var cast = graph.AddNode("Cast", [value], $"{value.Name}_f16", attributes: [Ir.Attribute.FromInt("to", (long)DataType.Float16)]);
            cast.Output.Type = new TensorType(DataType.Float16, value.TensorType?.Shape);
            context.Touch(cast);
            result = cast.Output;
        }

        half[value] = result;
        return result;
    }

    private static Value Full(Ir.Graph graph, Value value, Dictionary<Value, Value> full, PassContext context)
    {
        if (full.TryGetValue(value, out var existing))
        {
            return existing;
        }

        var cast = graph.AddNode("Cast", [value], $"{value.Name}_f32", attributes: [Ir.Attribute.FromInt("to", (long)DataType.Float)]);
        cast.Output.Type = new TensorType(DataType.Float, value.TensorType?.Shape);
        context.Touch(cast);
        full[value] = cast.Output;
        return cast.Output;
    }

    private static Tensor ToHalf(Tensor tensor) => Tensor.From<Half>([.. tensor.AsSpan<float>().ToArray().Select(v => (Half)v)], [.. tensor.Dims]);
}
