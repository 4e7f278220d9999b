using EdgeRuntime.Federated.Aggregation;

namespace EdgeRuntime.Federated.Updates;

/// <summary>
/// SCAFFOLD's control variates carried in the update layout (Karimireddy et al., "SCAFFOLD: Stochastic Controlled
/// Averaging for Federated Learning", ICML 2020, Algorithm 1). A layout with control variates is the model's trainable
/// tensors followed by one control tensor per trainable tensor, same length and order, named
/// <see cref="Prefix"/> + the parameter's name. So the existing paths carry them unchanged: a device's update is
/// (Δy; Δcᵢ), the aggregator's sums and robust rules fold both halves, and a global version's file holds the fleet's
/// c as initializers next to the weights (no node reads them). What differs is only here: each half is clipped to the
/// bound on its own, and the server step moves the weights by the server optimiser and c by
/// c ← c + (|S|/N)·mean Δcᵢ. Pure functions.
/// </summary>
public static class ControlVariates
{
    /// <summary>The name prefix of a control tensor.</summary>
    public const string Prefix = "scaffold.c/";

    /// <summary>Whether <paramref name="name"/> names a control tensor.</summary>
    public static bool IsControl(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary><paramref name="model"/>'s tensors followed by their control tensors.</summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> already holds control tensors.</exception>
    public static ParameterLayout Extend(ParameterLayout model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Tensors.Any(t => IsControl(t.Name)))
        {
            throw new ArgumentException("the layout already holds control variates", nameof(model));
        }

        return new ParameterLayout([.. model.Tensors, .. model.Tensors.Select(t => (Prefix + t.Name, t.Length))]);
    }

    /// <summary>Values of the model's tensors (the offset of the first control tensor; the whole length without any).</summary>
    /// <exception cref="ArgumentException">The control tensors are not exactly the model tensors' controls, in order, after them.</exception>
    public static int ModelLength(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var first = -1;
        for (var i = 0; i < layout.Tensors.Count; i++)
        {
            if (IsControl(layout.Tensors[i].Name))
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return layout.Length;
        }

        if (layout.Tensors.Count != 2 * first || !Enumerable.Range(0, first).All(i => layout.Tensors[first + i] == (Prefix + layout.Tensors[i].Name, layout.Tensors[i].Length)))
        {
            throw new ArgumentException($"layout {layout}: control variates must follow the model's tensors one for one, in order");
        }

        return layout.Offsets[first];
    }

    /// <summary>Whether <paramref name="layout"/> carries control variates.</summary>
    public static bool Has(ParameterLayout layout) => ModelLength(layout) < layout.Length;

    /// <summary>The model's tensors alone.</summary>
    public static ParameterLayout ModelPart(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Has(layout) ? new ParameterLayout([.. layout.Tensors.Take(layout.Tensors.Count / 2)]) : layout;
    }

    /// <summary>
    /// Clips <paramref name="delta"/>'s model half and its control half to L2 <paramref name="bound"/> each (one
    /// bound over both would let the larger half, usually the gradients, shrink the other's step); a layout without
    /// controls is clipped whole. Returns the model half's norm before clipping.
    /// </summary>
    public static double ClipParts(Span<float> delta, int modelLength, double bound)
    {
        var norm = Clip(delta[..modelLength], bound);
        if (modelLength < delta.Length)
        {
            Clip(delta[modelLength..], bound);
        }

        return norm;
    }

    /// <summary>
    /// The server step over a layout that may carry control variates: the weights (the first
    /// <paramref name="modelLength"/> values) by <see cref="ServerOptimizer.Step"/>, the fleet's control variate by
    /// SCAFFOLD's c ← c + (|S|/N)·Δ̄c with |S| = <paramref name="updates"/> and N =
    /// <see cref="AggregationOptions.ExpectedParticipants"/> (|S|/N taken as 1 when N is not set or |S| &gt; N).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static (float[] Parameters, ServerOptimizerState State) ServerStep(ReadOnlySpan<float> parameters, ReadOnlySpan<float> delta, int modelLength, int updates, ServerOptimizerState state, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (modelLength == parameters.Length)
        {
            return ServerOptimizer.Step(parameters, delta, state, options);
        }

        if (parameters.Length != delta.Length || modelLength > parameters.Length)
        {
            throw new ArgumentException($"server step: {parameters.Length} parameters, {delta.Length} delta values, {modelLength} model values");
        }

        var (weights, next) = ServerOptimizer.Step(parameters[..modelLength], delta[..modelLength], state, options);
        var result = new float[parameters.Length];
        weights.CopyTo(result, 0);
        var share = options.ExpectedParticipants > 0 ? Math.Min(1.0, updates / (double)options.ExpectedParticipants) : 1.0;
        for (var i = modelLength; i < result.Length; i++)
        {
            result[i] = (float)(parameters[i] + (share * delta[i]));
        }

        return (result, next);
    }

    private static double Clip(Span<float> values, double bound)
    {
        var squares = 0.0;
        foreach (var x in values)
        {
            squares += (double)x * x;
        }

        var norm = Math.Sqrt(squares);
        if (norm > bound)
        {
            var factor = (float)(bound / norm);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= factor;
            }
        }

        return norm;
    }
}
