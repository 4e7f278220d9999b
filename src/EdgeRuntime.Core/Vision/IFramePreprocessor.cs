namespace EdgeRuntime.Core.Vision;

/// <summary>
/// Turns one interleaved RGB frame (HWC, 8 bits a channel) into a detector's input as described by
/// <see cref="Settings"/>, writing into a buffer the caller owns (it may be the session's bound input buffer).
/// Implementations: the C# path (<c>EdgeRuntime.Sensors.Camera.ImagePreprocessor</c>) and the ILGPU kernel
/// (<c>EdgeRuntime.Kernels.Vision.KernelFramePreprocessor</c>); both compute the same sampling formula. Thread-safe.
/// </summary>
public interface IFramePreprocessor
{
    /// <summary>The output it produces.</summary>
    FramePreprocessing Settings { get; }

    /// <summary>Fills <paramref name="destination"/> (<see cref="FramePreprocessing.OutputLength"/> floats, CHW) from <paramref name="rgb"/>.</summary>
    /// <param name="rgb">Row-major interleaved R, G, B bytes: <paramref name="width"/> × <paramref name="height"/> × 3.</param>
    /// <param name="width">Frame width, pixels.</param>
    /// <param name="height">Frame height, pixels.</param>
    /// <param name="destination">Where the planar floats go.</param>
    /// <exception cref="ArgumentException">Sizes that disagree with the buffers or are out of range (one line naming which).</exception>
    void Prepare(ReadOnlySpan<byte> rgb, int width, int height, Span<float> destination);
}
