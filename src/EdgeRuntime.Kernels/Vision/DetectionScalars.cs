using System.Runtime.InteropServices;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>The constants of a decode-and-select launch.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct DetectionScalars(int Priors, int Classes, int ObjectClass, float ScoreThreshold, float CenterVariance, float SizeVariance);
