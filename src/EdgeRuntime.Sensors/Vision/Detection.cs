namespace EdgeRuntime.Sensors.Vision;

/// <summary>An object found in a frame; coordinates are fractions of the frame's width and height (0..1).</summary>
/// <param name="Left">Left edge.</param>
/// <param name="Top">Top edge.</param>
/// <param name="Right">Right edge.</param>
/// <param name="Bottom">Bottom edge.</param>
/// <param name="Score">Confidence, 0..1.</param>
/// <param name="Class">Class index (0 for single-class detectors).</param>
public readonly record struct Detection(float Left, float Top, float Right, float Bottom, float Score, int Class = 0)
{
    /// <summary>Area in frame fractions.</summary>
    public float Area => Math.Max(0, Right - Left) * Math.Max(0, Bottom - Top);

    /// <summary>Centre point.</summary>
    public (float X, float Y) Centre => ((Left + Right) / 2, (Top + Bottom) / 2);

    /// <summary>Intersection over union with <paramref name="other"/>.</summary>
    public float IntersectionOverUnion(Detection other)
    {
        var w = Math.Min(Right, other.Right) - Math.Max(Left, other.Left);
        var h = Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var intersection = w * h;
        return intersection / (Area + other.Area - intersection);
    }
}
