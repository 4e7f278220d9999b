namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>What <see cref="AcceleratorPolicy"/> decided: try CUDA, or go to the CPU accelerator with a reason.</summary>
/// <param name="TryCuda">Create a CUDA accelerator (and fall back to the CPU one if that fails).</param>
/// <param name="FallbackReason">Why CUDA is not tried, when it was wanted; null otherwise.</param>
public sealed record AcceleratorPlan(bool TryCuda, string? FallbackReason);
