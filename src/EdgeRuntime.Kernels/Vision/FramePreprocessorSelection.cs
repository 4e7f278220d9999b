using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Kernels.Configuration;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>
/// Which frame pre-processor the detector stages get, a pure rule. Auto takes the kernel only on CUDA: on ILGPU's
/// CPU accelerator the kernel measured 0.6–0.7× the speed of the C# path (640×480 and 1920×1080 → 320×240 on a
/// 2-core EPYC; docs/kernels.md), so a CPU-only device keeps the C# path and creates no ILGPU context for it.
/// </summary>
public static class FramePreprocessorSelection
{
    /// <summary>
    /// Whether the decision needs the accelerator (and so an ILGPU context) at all: not for CSharp, and not under
    /// Auto when the accelerator plan (<see cref="AcceleratorPolicy.Decide"/>) does not even try CUDA.
    /// </summary>
    public static bool NeedsAccelerator(FramePreprocessingMode mode, AcceleratorPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return mode == FramePreprocessingMode.Kernel || (mode == FramePreprocessingMode.Auto && plan.TryCuda);
    }

    /// <summary>True for the kernel; <paramref name="accelerator"/> is the kernels' accelerator (null when none was needed).</summary>
    public static bool UseKernel(FramePreprocessingMode mode, AcceleratorKind? accelerator) => mode switch
    {
        FramePreprocessingMode.Kernel => true,
        FramePreprocessingMode.CSharp => false,
        _ => accelerator == AcceleratorKind.Cuda,
    };

    /// <summary>Why, in a few words, for the log.</summary>
    public static string Reason(FramePreprocessingMode mode, AcceleratorKind? accelerator) => mode switch
    {
        FramePreprocessingMode.Kernel => "Kernels:FramePreprocessing is Kernel",
        FramePreprocessingMode.CSharp => "Kernels:FramePreprocessing is CSharp",
        _ when accelerator == AcceleratorKind.Cuda => "Auto: the kernels run on CUDA",
        _ => "Auto: no CUDA accelerator, and on the CPU accelerator the kernel is slower than the C# path",
    };
}
