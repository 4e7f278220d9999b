namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// One server step (Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2): the combined delta Δ̄ is a
/// pseudo-gradient pointing downhill (trained − base), so every rule adds. Pure: returns new arrays.
/// </summary>
public static class ServerOptimizer
{
    /// <summary>The next global parameters and optimiser state.</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static (float[] Parameters, ServerOptimizerState State) Step(ReadOnlySpan<float> parameters, ReadOnlySpan<float> delta, ServerOptimizerState state, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (parameters.Length != delta.Length)
        {
            throw new ArgumentException($"server step: {parameters.Length} parameters, {delta.Length} delta values");
        }

        return options.ServerOptimizer switch
        {
            ServerOptimizerKind.Sgd => Sgd(parameters, delta, state, options),
            ServerOptimizerKind.FedAvgM => Momentum(parameters, delta, state, options),
            ServerOptimizerKind.FedAdam => Adam(parameters, delta, state, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.ServerOptimizer, "unknown server optimiser"),
        };
    }

    private static (float[], ServerOptimizerState) Sgd(ReadOnlySpan<float> parameters, ReadOnlySpan<float> delta, ServerOptimizerState state, AggregationOptions options)
    {
        var next = new float[parameters.Length];
        for (var i = 0; i < next.Length; i++)
        {
            next[i] = (float)(parameters[i] + (options.ServerLearningRate * delta[i]));
        }

        return (next, state with { Steps = state.Steps + 1 });
    }

    private static (float[], ServerOptimizerState) Momentum(ReadOnlySpan<float> parameters, ReadOnlySpan<float> delta, ServerOptimizerState state, AggregationOptions options)
    {
        var next = new float[parameters.Length];
        var m = Fit(state.Momentum, next.Length);
        for (var i = 0; i < next.Length; i++)
        {
            m[i] = (float)((options.ServerMomentum * m[i]) + delta[i]);
            next[i] = (float)(parameters[i] + (options.ServerLearningRate * m[i]));
        }

        return (next, new ServerOptimizerState(m, null, state.Steps + 1));
    }

    private static (float[], ServerOptimizerState) Adam(ReadOnlySpan<float> parameters, ReadOnlySpan<float> delta, ServerOptimizerState state, AggregationOptions options)
    {
        var next = new float[parameters.Length];
        var m = Fit(state.Momentum, next.Length);
        var v = Fit(state.SecondMoment, next.Length);
        var b1 = options.ServerMomentum;
        var b2 = options.ServerBeta2;
        for (var i = 0; i < next.Length; i++)
        {
            m[i] = (float)((b1 * m[i]) + ((1 - b1) * delta[i]));
            v[i] = (float)((b2 * v[i]) + ((1 - b2) * delta[i] * (double)delta[i]));
            next[i] = (float)(parameters[i] + (options.ServerLearningRate * m[i] / (Math.Sqrt(v[i]) + options.ServerEpsilon)));
        }

        return (next, new ServerOptimizerState(m, v, state.Steps + 1));
    }

    // A copy to update (never the caller's array); zeros at first use or after a layout change.
    private static float[] Fit(float[]? kept, int n) => kept is { } k && k.Length == n ? (float[])k.Clone() : new float[n];
}
