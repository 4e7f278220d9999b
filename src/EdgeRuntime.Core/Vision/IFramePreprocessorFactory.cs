namespace EdgeRuntime.Core.Vision;

/// <summary>
/// Hands out frame pre-processors: the seam a detector stage uses to pick the C# path or the ILGPU kernel without
/// knowing which. The factory owns what it hands out (kernel pre-processors hold device buffers): callers never
/// dispose a pre-processor; whoever created the factory disposes it, after its pre-processors' last use.
/// </summary>
public interface IFramePreprocessorFactory
{
    /// <summary>A few words for logs and status: "C#" or "ILGPU kernel on cuda (NVIDIA H200)".</summary>
    string Description { get; }

    /// <summary>A pre-processor for <paramref name="settings"/>; the same settings may return the same instance.</summary>
    IFramePreprocessor For(FramePreprocessing settings);
}
