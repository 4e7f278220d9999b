namespace EdgeRuntime.Kernels.Vision;

/// <summary>
/// Where output index <c>i</c> of <c>outputSize</c> samples a source axis of <c>sourceSize</c>: the two
/// neighbours and the weight of the second, for half-pixel centres clamped to the edges.
/// </summary>
/// <remarks>
/// The source coordinate s = (i + ½)·S/O − ½ is the rational ((2i + 1)·S − O) / (2·O); it is computed in integers
/// (exact floor, exact clamping) and only the fraction is rounded to float32, once. A float32 evaluation of the
/// formula itself would misplace samples by up to ~10⁻⁴ pixel on a 1920-wide frame. With sides up to
/// <see cref="EdgeRuntime.Core.Vision.FramePreprocessing.MaxSide"/> (2¹⁴) the numerator stays below 2³¹.
/// </remarks>
internal readonly struct SourceCoordinate
{
    public SourceCoordinate(int index, int sourceSize, int outputSize)
    {
        var numerator = (((2 * index) + 1) * sourceSize) - outputSize;
        var denominator = 2 * outputSize;
        if (numerator <= 0)
        {
            First = 0;
            Fraction = 0;
        }
        else
        {
            var whole = numerator / denominator;
            if (whole >= sourceSize - 1)
            {
                First = sourceSize - 1;
                Fraction = 0;
            }
            else
            {
                First = whole;
                Fraction = (float)(numerator - (whole * denominator)) / denominator;
            }
        }

        Second = First + 1 < sourceSize ? First + 1 : sourceSize - 1;
    }

    /// <summary>The lower neighbour.</summary>
    public int First { get; }

    /// <summary>The upper neighbour (the lower one again at the last pixel).</summary>
    public int Second { get; }

    /// <summary>Weight of <see cref="Second"/>, in [0, 1).</summary>
    public float Fraction { get; }
}
