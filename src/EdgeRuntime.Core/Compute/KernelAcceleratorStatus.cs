namespace EdgeRuntime.Core.Compute;

/// <summary>
/// Where the device's ILGPU kernels run and why: the value the device status reports. A fallback (CUDA wanted or
/// tried, CPU chosen) carries its one-line reason, e.g. "no CUDA driver (libcuda.so.1 not found)".
/// </summary>
/// <param name="Requested">What the configuration asked for.</param>
/// <param name="Kind">What was chosen.</param>
/// <param name="Device">The device's name: the GPU's ("NVIDIA H200") or "CPU accelerator (N threads)".</param>
/// <param name="FallbackReason">Why CUDA is not used, when it was asked for or tried (Auto); null when nothing fell back.</param>
public sealed record KernelAcceleratorStatus(KernelPreference Requested, AcceleratorKind Kind, string Device, string? FallbackReason)
{
    /// <summary>One line for logs and tables: "cuda (NVIDIA H200)" or "cpu (CPU accelerator, 2 threads); CUDA: no CUDA driver …".</summary>
    public override string ToString() =>
        $"{(Kind == AcceleratorKind.Cuda ? "cuda" : "cpu")} ({Device}){(FallbackReason is null ? string.Empty : $"; CUDA not used: {FallbackReason}")}";
}
