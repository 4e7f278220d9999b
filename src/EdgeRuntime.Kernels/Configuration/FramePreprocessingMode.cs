namespace EdgeRuntime.Kernels.Configuration;

/// <summary>Which code pre-processes camera frames for detectors (configuration <c>Kernels:FramePreprocessing</c>).</summary>
public enum FramePreprocessingMode
{
    /// <summary>The ILGPU kernel when the kernels run on CUDA, the C# path otherwise (the default; see <see cref="Vision.FramePreprocessorSelection"/>).</summary>
    Auto,

    /// <summary>The C# path always (no ILGPU context is created for it).</summary>
    CSharp,

    /// <summary>The ILGPU kernel on whichever accelerator the kernels got, CPU included.</summary>
    Kernel,
}
