namespace EdgeRuntime.Kernels.Training;

/// <summary>
/// SGD with (optionally Nesterov) momentum and weight decay (see <see cref="SgdMomentumSettings"/>) over a
/// <see cref="ParameterBuffer"/>: the momentum buffer lives on the accelerator in the buffer's layout, and a step is
/// one kernel launch over every tensor. State vector: "momentum".
/// </summary>
public sealed class SgdMomentumOptimizer : DeviceOptimizer
{
    private readonly SgdMomentumSettings _settings;

    /// <summary>Allocates a zeroed momentum buffer beside <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter out of range.</exception>
    public SgdMomentumOptimizer(ParameterBuffer parameters, SgdMomentumSettings settings)
        : base(parameters, "sgd-momentum", "momentum")
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
            var scalars = new SgdStepScalars(learningRate, _settings.Momentum, _settings.WeightDecay, _settings.Nesterov ? 1 : 0);
            optimizer.Sgd(kernels.Launch(n), Parameters.Parameters.View, Parameters.Gradients.View, State("momentum").View, scalars, n);
            kernels.Accelerator.Synchronize();
        }
    }
}
