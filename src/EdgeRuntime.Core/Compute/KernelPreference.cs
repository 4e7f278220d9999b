namespace EdgeRuntime.Core.Compute;

/// <summary>Which ILGPU accelerator the device's kernels should run on (configuration <c>Kernels:Accelerator</c>).</summary>
public enum KernelPreference
{
    /// <summary>CUDA when a usable NVIDIA GPU is found, otherwise ILGPU's CPU accelerator (the default).</summary>
    Auto,

    /// <summary>ILGPU's CPU accelerator, even where a GPU exists.</summary>
    Cpu,

    /// <summary>CUDA; where it cannot be had the kernels still run, on the CPU accelerator, and the reason is reported.</summary>
    Cuda,
}
