namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// The axes Softmax, LogSoftmax and Hardmax normalise over: from opset 13 the one axis (default −1); before, the input
/// is coerced to 2-D at <c>axis</c> (default 1) and every axis from it to the last is normalised together.
/// </summary>
internal static class SoftmaxAxes
{
    public static long[] Of(GradientContext context)
    {
        var rank = context.Rank(context.Input(0));
        if (context.Emit.Opset >= 13)
        {
            return GradientEmitter.Normalise([context.Node.GetInt("axis", -1)], rank);
        }

        var first = GradientEmitter.Normalise([context.Node.GetInt("axis", 1)], rank)[0];
        return [.. Enumerable.Range((int)first, rank - (int)first).Select(i => (long)i)];
    }
}
