namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// One server step (Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2): the combined delta Δ̄ is a
/// pseudo-gradient pointing downhill (trained − base), so every rule adds. The step size η may decay with the versions
/// made (<see cref="LearningRate"/>). Pure: returns new arrays.
/// </summary>
public static class ServerOptimizer
{
    /// <summary>
    /// η for the version after <paramref name="steps"/> versions: the configured η; with
    /// <see cref="AggregationOptions.ServerLearningRateDecay"/> = D &gt; 0 the inverse-square-root decay
    /// η / √(1 + steps / D); with <see cref="AggregationOptions.ServerLearningRateCosine"/> = N &gt; 0 the cosine
    /// η · ½(1 + cos(π · min(steps, N) / N)), 0 from version N on. A constant step leaves local-update methods on non-IID
    /// data a gap to the optimum that grows with the step (Li et al. 2020, "On the convergence of FedAvg on non-IID
    /// data", which needs a decaying rate), and with stale updates a constant step keeps swinging around it; the inverse
    /// square root shrinks both yet never reaches zero, so a fleet that runs for months keeps learning; the cosine ends a
    /// campaign of known length the way central training ends its epochs.
    /// </summary>
    public static double LearningRate(long steps, AggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var t = Math.Max(0, steps);
        if (options.ServerLearningRateCosine > 0)
        {
            return CampaignSchedule.Cosine(options.ServerLearningRate, t, options.ServerLearningRateCosine);
        }

        return options.ServerLearningRateDecay > 0 ? options.ServerLearningRate / Math.Sqrt(1 + (t / options.ServerLearningRateDecay)) : options.ServerLearningRate;
    }

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
        var eta = LearningRate(state.Steps, options);
        for (var i = 0; i < next.Length; i++)
        {
            next[i] = (float)(parameters[i] + (eta * delta[i]));
        }

        return (next, state with { Steps = state.Steps + 1 });
    }

    private static (float[], ServerOptimizerState) Momentum(ReadOnlySpan<float> parameters, ReadOnlySpan<float> delta, ServerOptimizerState state, AggregationOptions options)
    {
        var next = new float[parameters.Length];
        var m = Fit(state.Momentum, next.Length);
        var eta = LearningRate(state.Steps, options);
        for (var i = 0; i < next.Length; i++)
        {
            m[i] = (float)((options.ServerMomentum * m[i]) + delta[i]);
            next[i] = (float)(parameters[i] + (eta * m[i]));
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
        var eta = LearningRate(state.Steps, options);
        for (var i = 0; i < next.Length; i++)
        {
            m[i] = (float)((b1 * m[i]) + ((1 - b1) * delta[i]));
            v[i] = (float)((b2 * v[i]) + ((1 - b2) * delta[i] * (double)delta[i]));
            next[i] = (float)(parameters[i] + (eta * m[i] / (Math.Sqrt(v[i]) + options.ServerEpsilon)));
        }

        return (next, new ServerOptimizerState(m, v, state.Steps + 1));
    }

    // A copy to update (never the caller's array); zeros at first use or after a layout change.
    private static float[] Fit(float[]? kept, int n) => kept is { } k && k.Length == n ? (float[])k.Clone() : new float[n];
}
