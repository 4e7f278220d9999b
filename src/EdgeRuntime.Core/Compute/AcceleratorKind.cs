namespace EdgeRuntime.Core.Compute;

/// <summary>The kind of ILGPU accelerator kernels actually run on.</summary>
public enum AcceleratorKind
{
    /// <summary>ILGPU's CPU accelerator (kernels run as .NET code on a few worker threads).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through the CUDA driver.</summary>
    Cuda,
}
