using System.Runtime.InteropServices;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>The constants of one frame pre-processing launch.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct FrameResizeScalars(int SourceWidth, int SourceHeight, int Width, int Height, float Mean, float Scale, int Grayscale);
