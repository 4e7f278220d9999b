using System.Runtime.InteropServices;

namespace EdgeRuntime.Kernels.Training;

/// <summary>The per-step constants of an Adam/AdamW update, worked out on the host once per step.</summary>
/// <param name="Beta1">β₁.</param>
/// <param name="OneMinusBeta1">1 − β₁.</param>
/// <param name="Beta2">β₂.</param>
/// <param name="OneMinusBeta2">1 − β₂.</param>
/// <param name="Epsilon">ε, added to √v̂.</param>
/// <param name="StepSize">lr / (1 − β₁ᵗ): the learning rate with the first moment's bias correction.</param>
/// <param name="SqrtBiasCorrection2">√(1 − β₂ᵗ): divides √v.</param>
/// <param name="CoupledDecay">λ for Adam's L2 penalty (added to the gradient); 0 under AdamW.</param>
/// <param name="DecayFactor">1 − lr·λ for AdamW's decoupled decay (multiplies the parameter); 1 under Adam.</param>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct AdamStepScalars(
    float Beta1,
    float OneMinusBeta1,
    float Beta2,
    float OneMinusBeta2,
    float Epsilon,
    float StepSize,
    float SqrtBiasCorrection2,
    float CoupledDecay,
    float DecayFactor)
{
    /// <summary>The constants of step <paramref name="step"/> (1-based) at <paramref name="learningRate"/>.</summary>
    public static AdamStepScalars For(AdamSettings settings, float learningRate, long step)
    {
        // Bias corrections in float64: β₂ᵗ of 0.999 needs the precision for large t.
        var correction1 = 1 - Math.Pow(settings.Beta1, step);
        var correction2 = 1 - Math.Pow(settings.Beta2, step);
        return new AdamStepScalars(
            settings.Beta1,
            1f - settings.Beta1,
            settings.Beta2,
            1f - settings.Beta2,
            settings.Epsilon,
            (float)(learningRate / correction1),
            (float)Math.Sqrt(correction2),
            settings.DecoupledWeightDecay ? 0f : settings.WeightDecay,
            settings.DecoupledWeightDecay ? 1f - (learningRate * settings.WeightDecay) : 1f);
    }
}
