namespace EdgeRuntime.Kernels.Training;

/// <summary>
/// SGD with momentum (Polyak's heavy ball; Nesterov's form as in Sutskever et al. 2013, "On the importance of
/// initialization and momentum in deep learning", ICML), with PyTorch's conventions: dampening 0, weight decay as an
/// L2 penalty added to the gradient.
/// </summary>
/// <param name="LearningRate">lr used by <see cref="DeviceOptimizer.Step()"/>; ≥ 0. Default 0.01.</param>
/// <param name="Momentum">μ in [0, 1); 0 is plain SGD. Default 0.9.</param>
/// <param name="WeightDecay">λ; ≥ 0. Default 0.</param>
/// <param name="Nesterov">Nesterov momentum (needs μ > 0). Default false.</param>
public sealed record SgdMomentumSettings(float LearningRate = 0.01f, float Momentum = 0.9f, float WeightDecay = 0f, bool Nesterov = false)
{
    /// <summary>Throws when a value is out of range, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter out of its range.</exception>
    public void Validate()
    {
        OptimizerChecks.LearningRate(LearningRate);
        OptimizerChecks.InUnitInterval(Momentum, "SGD momentum");
        OptimizerChecks.NonNegative(WeightDecay, "SGD weight decay");
        if (Nesterov && Momentum == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Nesterov), Nesterov, "SGD: Nesterov momentum needs a momentum above 0");
        }
    }
}
