namespace EdgeRuntime.Kernels.Training;

/// <summary>
/// Adam / AdamW with bias correction (see <see cref="AdamSettings"/> for the papers) over a
/// <see cref="ParameterBuffer"/>: the first and second moments m and v live on the accelerator in the buffer's
/// layout, and a step is one kernel launch over every tensor. State vectors: "m", "v".
/// </summary>
public sealed class AdamOptimizer : DeviceOptimizer
{
    private readonly AdamSettings _settings;

    /// <summary>Allocates zeroed moments beside <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter out of range.</exception>
    public AdamOptimizer(ParameterBuffer parameters, AdamSettings settings)
        : base(parameters, "adam", "m", "v")
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _settings = settings;
    }

    /// <inheritdoc />
    protected override float DefaultLearningRate => _settings.LearningRate;

    private protected override void Launch(float learningRate, long step)
    {
        var kernels = Parameters.Accelerator;
        var optimizer = kernels.Family(OptimizerKernels.Load);
        var n = Parameters.Length;
        using var scope = kernels.Enter();
        if (n > 0)
        {
            optimizer.Adam(kernels.Launch(n), Parameters.Parameters.View, Parameters.Gradients.View, State("m").View, State("v").View, AdamStepScalars.For(_settings, learningRate, step), n);
            kernels.Accelerator.Synchronize();
        }
    }
}
