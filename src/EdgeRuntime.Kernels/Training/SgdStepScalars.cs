using System.Runtime.InteropServices;

namespace EdgeRuntime.Kernels.Training;

/// <summary>The per-step constants of an SGD-with-momentum update.</summary>
/// <param name="LearningRate">lr.</param>
/// <param name="Momentum">μ.</param>
/// <param name="WeightDecay">λ, an L2 penalty added to the gradient.</param>
/// <param name="Nesterov">1 for Nesterov momentum, 0 for classical (heavy-ball) momentum.</param>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct SgdStepScalars(float LearningRate, float Momentum, float WeightDecay, int Nesterov);
