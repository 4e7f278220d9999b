using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// The integer values at which a model's behaviour can change with an integer input: the constants the input is
/// compared with (Equal, Less, Greater, LessOrEqual, GreaterOrEqual), followed through operators that carry its
/// values (Cast, Identity, Reshape, Squeeze, Unsqueeze, Flatten, Expand, Gather, Slice, Concat, Transpose) and shifted
/// or mirrored by constant Add, Sub and Neg — in the main graph and in subgraphs (an If condition
/// <c>k &gt; 10</c> inside a branch). Drawing t − 1, t and t + 1 for each threshold t takes both sides of every such
/// comparison.
/// </summary>
internal static class ComparisonThresholds
{
    private const int MaxConstantElements = 16;

    private static readonly HashSet<string> Carriers = new(StringComparer.Ordinal)
    {
        "Identity", "Cast", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Expand", "Gather", "Slice", "Concat", "Transpose", "Tile",
    };

    private static readonly HashSet<string> Comparisons = new(StringComparer.Ordinal) { "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual" };

    /// <summary>The thresholds, as values of <paramref name="input"/>, ascending and distinct.</summary>
    public static IReadOnlyList<long> For(Value input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var thresholds = new SortedSet<long>();
        var seen = new HashSet<(Value, long, long)>();

        // Each reached value v is sign·input + offset.
        var pending = new Queue<(Value Value, long Sign, long Offset)>([(input, 1, 0)]);
        while (pending.TryDequeue(out var item) && seen.Count < 256)
        {
            if (!seen.Add(item))
            {
                continue;
            }

            var (value, sign, offset) = item;
            foreach (var use in value.Uses)
            {
                var node = use.Node;
                if (node.Domain.Length != 0 || node.Outputs.Count == 0 || node.Outputs[0] is not { } output)
                {
                    continue;
                }

                var other = use.InputIndex < 2 ? node.Input(1 - use.InputIndex) : null;
                if (Comparisons.Contains(node.OpType) && use.InputIndex < 2 && other is not null && Constants(other) is { } limits)
                {
                    foreach (var limit in limits)
                    {
                        // sign·x + offset = limit  ⇒  x = (limit − offset)·sign (sign is ±1).
                        thresholds.Add(unchecked((limit - offset) * sign));
                    }
                }
                else if ((Carriers.Contains(node.OpType) && use.InputIndex == 0) || node.Is("Concat"))
                {
                    pending.Enqueue((output, sign, offset));
                }
                else if (node.Is("Neg"))
                {
                    pending.Enqueue((output, -sign, -offset));
                }
                else if ((node.Is("Add") || node.Is("Sub")) && use.InputIndex < 2 && other is not null && Constants(other) is [var shift])
                {
                    var (newSign, newOffset) = node.Is("Add") ? (sign, offset + shift)
                        : use.InputIndex == 0 ? (sign, offset - shift)
                        : (-sign, shift - offset);
                    pending.Enqueue((output, newSign, newOffset));
                }
            }
        }

        return [.. thresholds];
    }

    private static long[]? Constants(Value value)
    {
        if (ConstantValues.Of(value) is not { ElementCount: > 0 and <= MaxConstantElements } tensor || tensor.ElementType == DataType.String)
        {
            return null;
        }

        if (DataTypes.IsFloatingPoint(tensor.ElementType))
        {
            // A float threshold f splits integers between ⌊f⌋ and ⌈f⌉.
            return [.. tensor.ToDoubleArray().Where(double.IsFinite).Where(f => Math.Abs(f) < 9e18).SelectMany(f => new[] { (long)Math.Floor(f), (long)Math.Ceiling(f) }).Distinct()];
        }

        return tensor.ElementType == DataType.UInt64 ? null : tensor.ToInt64Array();
    }
}
