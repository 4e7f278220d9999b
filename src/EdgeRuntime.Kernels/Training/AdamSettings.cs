namespace EdgeRuntime.Kernels.Training;

/// <summary>
/// Adam's hyper-parameters (Kingma &amp; Ba 2015, "Adam: A Method for Stochastic Optimization", ICLR; defaults from
/// its Algorithm 1). With <see cref="DecoupledWeightDecay"/> (the default) weight decay is AdamW's (Loshchilov &amp;
/// Hutter 2019, "Decoupled Weight Decay Regularization", ICLR): p ← p·(1 − lr·λ) apart from the adaptive step;
/// without it, λ·p is added to the gradient (an L2 penalty, which Adam rescales per coordinate).
/// </summary>
/// <param name="LearningRate">Step size α used by <see cref="DeviceOptimizer.Step()"/>; ≥ 0. Default 0.001.</param>
/// <param name="Beta1">Decay of the first-moment average, in [0, 1). Default 0.9.</param>
/// <param name="Beta2">Decay of the second-moment average, in [0, 1). Default 0.999.</param>
/// <param name="Epsilon">Added to √v̂ against division by zero; > 0. Default 1e-8.</param>
/// <param name="WeightDecay">λ; ≥ 0. Default 0.</param>
/// <param name="DecoupledWeightDecay">AdamW (true) or Adam with an L2 penalty (false). Default true.</param>
public sealed record AdamSettings(
    float LearningRate = 1e-3f,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f,
    float Epsilon = 1e-8f,
    float WeightDecay = 0f,
    bool DecoupledWeightDecay = true)
{
    /// <summary>Throws when a value is out of range, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter out of its range.</exception>
    public void Validate()
    {
        OptimizerChecks.LearningRate(LearningRate);
        OptimizerChecks.InUnitInterval(Beta1, "Adam beta1");
        OptimizerChecks.InUnitInterval(Beta2, "Adam beta2");
        if (!(Epsilon > 0) || !float.IsFinite(Epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Adam epsilon must be positive and finite");
        }

        OptimizerChecks.NonNegative(WeightDecay, "Adam weight decay");
    }
}
