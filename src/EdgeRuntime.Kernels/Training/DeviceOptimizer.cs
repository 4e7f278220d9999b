using EdgeRuntime.Kernels.Vectors;

namespace EdgeRuntime.Kernels.Training;

/// <summary>What both optimisers share: state vectors beside the parameters, the step count, checkpoints.</summary>
public abstract class DeviceOptimizer : IParameterOptimizer
{
    private readonly string _kind;
    private readonly Dictionary<string, DeviceVector> _state = new(StringComparer.Ordinal);

    private protected DeviceOptimizer(ParameterBuffer parameters, string kind, params string[] stateNames)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        _kind = kind;
        try
        {
            foreach (var name in stateNames)
            {
                _state[name] = parameters.Accelerator.Allocate(parameters.Length);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ParameterBuffer Parameters { get; }

    /// <inheritdoc />
    public long Steps { get; private set; }

    /// <summary>The settings' learning rate.</summary>
    protected abstract float DefaultLearningRate { get; }

    /// <inheritdoc />
    public void Step() => Step(DefaultLearningRate);

    /// <inheritdoc />
    public void Step(float learningRate)
    {
        OptimizerChecks.LearningRate(learningRate);
        Launch(learningRate, Steps + 1);
        Steps++;
    }

    /// <inheritdoc />
    public OptimizerState ExportState() =>
        new(_kind, Steps, _state.ToDictionary(s => s.Key, s => s.Value.ToArray(), StringComparer.Ordinal));

    /// <inheritdoc />
    public void ImportState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!string.Equals(state.Optimizer, _kind, StringComparison.Ordinal))
        {
            throw new ArgumentException($"optimizer state: it is {state.Optimizer}'s, this is {_kind}");
        }

        if (state.Steps < 0)
        {
            throw new ArgumentException($"optimizer state: {state.Steps} steps");
        }

        foreach (var (name, vector) in _state)
        {
            if (!state.Buffers.TryGetValue(name, out var values) || values.Length != vector.Length)
            {
                throw new ArgumentException($"optimizer state: '{name}' is {(values is null ? "missing" : $"{values.Length} long")}, the parameters are {vector.Length}");
            }
        }

        foreach (var (name, vector) in _state)
        {
            vector.CopyFrom(state.Buffers[name]);
        }

        Steps = state.Steps;
    }

    /// <summary>Frees the state vectors (the parameter buffer stays the caller's).</summary>
    public void Dispose()
    {
        foreach (var vector in _state.Values)
        {
            vector.Dispose();
        }

        _state.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>A state vector by name.</summary>
    private protected DeviceVector State(string name) => _state[name];

    /// <summary>Runs update number <paramref name="step"/> (1-based).</summary>
    private protected abstract void Launch(float learningRate, long step);
}
