using System.Globalization;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Inference.Verification;

/// <summary>The tolerance an output is compared with, and why that one.</summary>
/// <param name="Tolerance">|expected − actual| ≤ Absolute + Relative · max|expected|.</param>
/// <param name="Description">What it is, for the report ("float32 rounding", "one quantisation step (scale 0.05) + float32 rounding").</param>
public sealed record ToleranceRule(Tolerance Tolerance, string Description)
{
    // Operators whose output error is at most their input error: they copy, select, move or take maxima/means of
    // elements, or are 1-Lipschitz (Relu, Clip). A quantisation step before them is still at most a step after.
    private static readonly HashSet<string> StepPreserving = new(StringComparer.Ordinal)
    {
        "Identity", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Flatten", "Slice", "Gather", "Concat", "Split", "Expand", "Tile",
        "Relu", "Clip", "MaxPool", "GlobalMaxPool", "AveragePool", "GlobalAveragePool", "ReduceMax", "ReduceMin", "ReduceMean", "Pad",
        "DepthToSpace", "SpaceToDepth", "Resize",
    };

    /// <summary>
    /// The rule for <paramref name="output"/> of a model: one quantisation step on top of rounding when the output is
    /// dequantised data (DequantizeLinear followed only by operators that cannot widen an error) — ONNX Runtime's
    /// fused integer kernels (QLinearConv, QLinearMatMul) round once where the float reference rounds twice, which
    /// moves a result by up to one step of the output's scale; ±1 for an integer output of QuantizeLinear; one step of
    /// the coarsest QuantizeLinear applied to a value the output is computed from (ONNX Runtime propagates Q/DQ pairs
    /// through layout operators); otherwise <see cref="Tolerance.For"/> by element type. <paramref name="overrideTolerance"/>
    /// wins when given.
    /// </summary>
    public static ToleranceRule For(Value output, Tolerance? overrideTolerance = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var type = output.TensorType?.ElementType ?? DataType.Undefined;
        if (overrideTolerance is not null)
        {
            return new ToleranceRule(overrideTolerance, $"given: {overrideTolerance.Absolute:G2} + {overrideTolerance.Relative:G2}·max|expected|");
        }

        // A double output computed from float values carries float rounding (a Cast does not add precision).
        var precision = DataTypes.IsFloatingPoint(type) ? LeastPrecise(output, type) : type;
        var rounding = Tolerance.For(precision);
        var roundingText = DataTypes.IsFloatingPoint(type)
            ? $"{DataTypes.Name(precision)} rounding ({rounding.Absolute:G2} + {rounding.Relative:G2}·max|expected|)"
            : "exact";
        if (Quantiser(output) is { } quantiser)
        {
            if (quantiser.Is("DequantizeLinear") && Step(quantiser) is { } outputStep)
            {
                return new ToleranceRule(
                    rounding with { Absolute = rounding.Absolute + outputStep },
                    $"one quantisation step of DequantizeLinear '{quantiser.Name}' ({outputStep.ToString("G3", CultureInfo.InvariantCulture)}) + {roundingText}");
            }

            if (quantiser.Is("QuantizeLinear") && !DataTypes.IsFloatingPoint(type))
            {
                return new ToleranceRule(new Tolerance(1, 0), $"one quantisation step (±1) of QuantizeLinear '{quantiser.Name}'");
            }
        }

        if (DataTypes.IsFloatingPoint(type) && QuantisedAncestor(output) is var (quantize, step))
        {
            // ONNX Runtime moves Q/DQ pairs along Transpose, Reshape and the like (QDQ propagation) and runs
            // what it can in integers, so a value the model quantises anywhere may reach this output in quantised form.
            return new ToleranceRule(
                rounding with { Absolute = rounding.Absolute + step },
                $"one quantisation step of QuantizeLinear '{quantize.Name}' ({step.ToString("G3", CultureInfo.InvariantCulture)}), which quantises a value this output is computed from + {roundingText}");
        }

        return new ToleranceRule(rounding, roundingText);
    }

    /// <summary>Whether <paramref name="output"/> is computed from the result of a DequantizeLinear.</summary>
    public static bool ComputedFromDequantised(Value output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>([output]);
        while (pending.TryPop(out var value) && seen.Count < 4096)
        {
            if (!seen.Add(value) || value.Producer is not { } node)
            {
                continue;
            }

            if (node.Is("DequantizeLinear"))
            {
                return true;
            }

            foreach (var input in Graph.Ir.Graph.ValuesRead(node))
            {
                pending.Push(input);
            }
        }

        return false;
    }

    /// <summary>The floating-point type of least precision among <paramref name="output"/> and the values it is computed from.</summary>
    private static DataType LeastPrecise(Value output, DataType type)
    {
        static int Bits(DataType t) => t switch
        {
            DataType.Double => 53,
            DataType.Float => 24,
            DataType.Float16 => 11,
            DataType.BFloat16 => 8,
            _ => 4,
        };

        var least = type;
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>([output]);
        while (pending.TryPop(out var value) && seen.Count < 4096)
        {
            if (!seen.Add(value))
            {
                continue;
            }

            if (value.TensorType?.ElementType is { } element && DataTypes.IsFloatingPoint(element) && Bits(element) < Bits(least))
            {
                least = element;
            }

            if (value.Producer is { } node)
            {
                foreach (var input in Graph.Ir.Graph.ValuesRead(node))
                {
                    pending.Push(input);
                }
            }
        }

        return least;
    }

    /// <summary>The QuantizeLinear with the largest step among those quantising a value in <paramref name="output"/>'s computation.</summary>
    private static (Node Node, double Step)? QuantisedAncestor(Value output)
    {
        (Node Node, double Step)? best = null;
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>([output]);
        while (pending.TryPop(out var value) && seen.Count < 4096)
        {
            if (!seen.Add(value))
            {
                continue;
            }

            foreach (var use in value.Uses)
            {
                if (use.Node.Is("QuantizeLinear") && use.InputIndex == 0 && Step(use.Node) is { } step && (best is null || step > best.Value.Step))
                {
                    best = (use.Node, step);
                }
            }

            if (value.Producer is { } node)
            {
                foreach (var input in Graph.Ir.Graph.ValuesRead(node))
                {
                    pending.Push(input);
                }
            }
        }

        return best;
    }

    private static Node? Quantiser(Value output)
    {
        var seen = new HashSet<Value>();
        var current = output;
        while (current.Producer is { } node && node.Domain.Length == 0 && seen.Add(current))
        {
            if (node.OpType is "DequantizeLinear" or "QuantizeLinear")
            {
                return node;
            }

            if (!StepPreserving.Contains(node.OpType) || node.Input(0) is not { } next)
            {
                return null;
            }

            current = next;
        }

        return null;
    }

    private static double? Step(Node quantiser) =>
        quantiser.Input(1) is { } scale && ConstantValues.Of(scale) is { ElementCount: > 0 } scales && DataTypes.IsFloatingPoint(scales.ElementType)
            ? scales.ToDoubleArray().Max(Math.Abs)
            : null;
}
