using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>Small pattern-matching helpers for fusions.</summary>
internal static class Patterns
{
    /// <summary>The producer of <paramref name="value"/> when it is a default-domain <paramref name="opType"/>.</summary>
    public static Node? Producer(Value? value, string opType) => value?.Producer is { } node && node.Is(opType) ? node : null;

    /// <summary>Whether <paramref name="value"/> is read only by <paramref name="readers"/> (and is no graph output).</summary>
    public static bool OnlyReadBy(Value value, params Node[] readers) =>
        !value.IsGraphOutput && value.Uses.All(u => readers.Contains(u.Node));

    /// <summary>The other input of a binary node, given one of them; null if <paramref name="known"/> is not an input.</summary>
    public static Value? Other(Node node, Value known) =>
        node.Input(0) == known ? node.Input(1) : node.Input(1) == known ? node.Input(0) : null;

    /// <summary>A scalar (or one-element) float constant's value.</summary>
    public static double? Scalar(Value? value) =>
        PassHelpers.Constant(value) is { ElementCount: 1 } t && DataTypes.IsFloatingPoint(t.ElementType) ? t.ToDoubleArray()[0] : null;

    /// <summary>Whether <paramref name="actual"/> equals <paramref name="expected"/> to float precision.</summary>
    public static bool Near(double? actual, double expected) => actual is { } a && Math.Abs(a - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected));

    /// <summary>The axes a ReduceMean reduces (attribute before opset 18, input after), made non-negative.</summary>
    public static long[]? ReduceAxes(Node reduce, int rank)
    {
        var axes = reduce.GetInts("axes")?.ToArray() ?? (reduce.Input(1) is { } axesValue ? ConstantValues.Of(axesValue)?.ToInt64Array() : null);
        return axes?.Select(a => a < 0 ? a + rank : a).ToArray();
    }
}
