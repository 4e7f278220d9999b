using EdgeRuntime.Federated.Aggregation;

namespace EdgeRuntime.Federated.Updates;

/// <summary>
/// SCAFFOLD's control variates carried in the update layout (Karimireddy et al., "SCAFFOLD: Stochastic Controlled
/// Averaging for Federated Learning", ICML 2020, Algorithm 1). A layout with control variates is the model's trainable
/// tensors followed by one control tensor per trainable tensor, same length and order, named <see cref="Prefix"/> +
/// the parameter's name, so the existing paths carry them: the update's body, the aggregator's sums and robust rules,
/// and each global version's file, which holds the fleet's c as initializers no node reads.
/// <para>
/// The control half is sent as a level, not as a change: an update carries the device's cᵢ itself (its base is 0,
/// <see cref="UpdateBase"/>), and the aggregator sets c to the sample-weighted mean of the cᵢ of the updates it folds
/// into a version, with no staleness weight and no server step (<see cref="ServerStep"/>). Only with the mean rule:
/// the correction c − cᵢ sums to zero over the fleet only when c is their mean, so a median or trimmed mean would bias
/// every device's steps (measured: test MAE worse than without control variates), and the aggregator refuses them. With every device in each round (FedAvg) this is the paper's
/// c = (1/N)·Σ cᵢ; with a buffer of K it is an estimate of it from the latest K devices. Unlike the paper's running sum
/// c ← c + (|S|/N)·Σ Δcᵢ, nothing accumulates: an update clipped, expired, rejected, weighted down for staleness, or
/// sent by an attacker moves c for one version only, and needs no fleet size N.
/// Each half is clipped to the bound on its own. Pure functions.
/// </para>
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
    /// bound over both would let the larger half shrink the other); a layout without controls is clipped whole.
    /// Returns both halves' norms before clipping (the control norm is 0 without controls).
    /// </summary>
    public static (double Model, double Control) ClipParts(Span<float> delta, int modelLength, double bound)
    {
        var norm = Clip(delta[..modelLength], bound);
        return (norm, modelLength < delta.Length ? Clip(delta[modelLength..], bound) : 0);
    }

    /// <summary>
    /// The base an update's delta is taken against: <paramref name="start"/> (the global version's values) with the
    /// control half set to 0, so the control half of the delta is the device's cᵢ itself.
    /// </summary>
    public static float[] UpdateBase(ReadOnlySpan<float> start, int modelLength)
    {
        var result = start.ToArray();
        Array.Clear(result, modelLength, result.Length - modelLength);
        return result;
    }

    /// <summary>
    /// The fleet's new c from what is buffered: per control coordinate the sample-weighted mean of the cᵢ over every
    /// group, Σ_g S_g / Σ_g W_g — no staleness weight (a device's level does not lose value by being late).
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing is buffered.</exception>
    public static float[] Levels(Aggregation.PartialSums sums, int modelLength)
    {
        ArgumentNullException.ThrowIfNull(sums);
        var weight = sums.Groups.Values.Sum(g => (double)g.Weight);
        if (sums.Count == 0 || weight <= 0)
        {
            throw new InvalidOperationException("no updates to combine");
        }

        var levels = new float[sums.Length - modelLength];
        for (var i = 0; i < levels.Length; i++)
        {
            var total = 0.0;
            foreach (var group in sums.Groups.Values)
            {
                total += Aggregation.PartialSums.ToDouble(group.Sum[modelLength + i]);
            }

            levels[i] = (float)(total / weight);
        }

        return levels;
    }

    /// <summary>
    /// The server step over a layout that may carry control variates: the weights (the first
    /// <paramref name="modelLength"/> values) by <see cref="ServerOptimizer.Step"/> on their combined delta, and the
    /// fleet's control variate set to <paramref name="levels"/> (<see cref="Levels"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static (float[] Parameters, ServerOptimizerState State) ServerStep(ReadOnlySpan<float> parameters, ReadOnlySpan<float> delta, int modelLength, ReadOnlySpan<float> levels, ServerOptimizerState state, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (modelLength == parameters.Length)
        {
            return ServerOptimizer.Step(parameters, delta, state, options);
        }

        if (delta.Length < modelLength || levels.Length != parameters.Length - modelLength)
        {
            throw new ArgumentException($"server step: {parameters.Length} parameters, {delta.Length} delta values, {modelLength} model values, {levels.Length} control levels");
        }

        var (weights, next) = ServerOptimizer.Step(parameters[..modelLength], delta[..modelLength], state, options);
        var result = new float[parameters.Length];
        weights.CopyTo(result, 0);
        levels.CopyTo(result.AsSpan(modelLength));
        return (result, next);
    }

    /// <summary>The L2 norm of <paramref name="values"/> (summed in double).</summary>
    public static double Norm(ReadOnlySpan<float> values)
    {
        var squares = 0.0;
        foreach (var x in values)
        {
            squares += (double)x * x;
        }

        return Math.Sqrt(squares);
    }

    private static double Clip(Span<float> values, double bound)
    {
        var norm = Norm(values);
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
