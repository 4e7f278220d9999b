namespace EdgeRuntime.Kernels.Vision;

/// <summary>A kept detection: corners as frame fractions clamped to [0, 1], its score, and the prior it came from.</summary>
/// <param name="Left">Left edge.</param>
/// <param name="Top">Top edge.</param>
/// <param name="Right">Right edge.</param>
/// <param name="Bottom">Bottom edge.</param>
/// <param name="Score">The object class's score.</param>
/// <param name="Prior">Index of the prior (anchor) it was decoded from.</param>
public readonly record struct DetectedBox(float Left, float Top, float Right, float Bottom, float Score, int Prior);
