using ILGPU;
using ILGPU.Algorithms;

namespace EdgeRuntime.Kernels.Training;

/// <summary>The optimiser updates, one thread per parameter in grid-stride loops; every tensor of a buffer in one launch.</summary>
internal static class OptimizerKernelBodies
{
    /// <summary>
    /// Adam (Kingma &amp; Ba 2015, Algorithm 1, with the ε placement of its §2 efficiency note as PyTorch does it) and
    /// AdamW (Loshchilov &amp; Hutter 2019, decoupled weight decay):
    /// <code>
    /// g ← g + λ_L2·p            (Adam's L2 penalty; λ_L2 = 0 under AdamW)
    /// p ← p·(1 − lr·λ)          (AdamW's decay; the factor is 1 under Adam)
    /// m ← β₁m + (1 − β₁)g
    /// v ← β₂v + (1 − β₂)g²
    /// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
    /// </code>
    /// </summary>
    public static void AdamStep(ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v, AdamStepScalars s, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            var p = parameters[i];
            var g = gradients[i] + (s.CoupledDecay * p);
            p *= s.DecayFactor;
            var mi = (s.Beta1 * m[i]) + (s.OneMinusBeta1 * g);
            var vi = (s.Beta2 * v[i]) + (s.OneMinusBeta2 * g * g);
            m[i] = mi;
            v[i] = vi;
            parameters[i] = p - (s.StepSize * mi / ((XMath.Sqrt(vi) / s.SqrtBiasCorrection2) + s.Epsilon));
        }
    }

    /// <summary>
    /// SGD with momentum as PyTorch defines it (dampening 0; Sutskever et al. 2013 for the Nesterov form), the
    /// momentum buffer starting at zero so the first step's buffer is the gradient:
    /// <code>
    /// g ← g + λ·p
    /// b ← μb + g
    /// d ← g + μb  (Nesterov)  or  b  (classical)
    /// p ← p − lr·d
    /// </code>
    /// </summary>
    public static void SgdStep(ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> buffer, SgdStepScalars s, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            var p = parameters[i];
            var g = gradients[i] + (s.WeightDecay * p);
            var b = (s.Momentum * buffer[i]) + g;
            buffer[i] = b;
            var d = s.Nesterov != 0 ? g + (s.Momentum * b) : b;
            parameters[i] = p - (s.LearningRate * d);
        }
    }
}
