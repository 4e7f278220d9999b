using EdgeRuntime.Core.Compute;

namespace EdgeRuntime.Kernels.Configuration;

/// <summary>Where the device's ILGPU kernels run and what uses them (section <c>Kernels</c>).</summary>
public sealed class KernelOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Kernels";

    /// <summary>Auto (CUDA when usable, else the CPU accelerator), Cpu or Cuda (falls back to the CPU with the reason logged). Default Auto.</summary>
    public KernelPreference Accelerator { get; set; } = KernelPreference.Auto;

    /// <summary>Auto (kernel on CUDA, C# otherwise), CSharp or Kernel. Default Auto.</summary>
    public FramePreprocessingMode FramePreprocessing { get; set; } = FramePreprocessingMode.Auto;
}
