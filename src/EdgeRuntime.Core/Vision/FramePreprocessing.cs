namespace EdgeRuntime.Core.Vision;

/// <summary>
/// What a detector wants from a camera frame: the frame resized (bilinear, half-pixel centres, clamped at the
/// edges) to <see cref="Width"/> × <see cref="Height"/>, each 0–255 channel value turned into
/// (value − <see cref="Mean"/>) / <see cref="Scale"/>, laid out as planar CHW floats.
/// </summary>
/// <param name="Width">Model input width, pixels (1–16384).</param>
/// <param name="Height">Model input height, pixels (1–16384).</param>
/// <param name="Mean">Subtracted from every 0–255 channel value (127 for UltraFace).</param>
/// <param name="Scale">Divides the centred value (128 for UltraFace); not 0.</param>
/// <param name="Grayscale">One channel, the mean of the interpolated R, G and B, instead of three.</param>
public sealed record FramePreprocessing(int Width, int Height, float Mean = 127f, float Scale = 128f, bool Grayscale = false)
{
    /// <summary>The largest frame or model side accepted, pixels.</summary>
    public const int MaxSide = 16384;

    /// <summary>Channels of the output: 1 or 3.</summary>
    public int Channels => Grayscale ? 1 : 3;

    /// <summary>Floats in one prepared input: channels × height × width.</summary>
    public int OutputLength => Channels * Width * Height;

    /// <summary>Checks a frame of <paramref name="width"/> × <paramref name="height"/> RGB pixels against this setting and the destination.</summary>
    /// <exception cref="ArgumentException">Sizes out of range or buffers of the wrong length, with one line that names which.</exception>
    public void Validate(int rgbLength, int width, int height, int destinationLength)
    {
        if (Width is < 1 or > MaxSide || Height is < 1 or > MaxSide)
        {
            throw new ArgumentException($"frame pre-processing: model input {Width}x{Height} is outside 1..{MaxSide}");
        }

        if (Scale == 0 || !float.IsFinite(Scale) || !float.IsFinite(Mean))
        {
            throw new ArgumentException($"frame pre-processing: mean {Mean} and scale {Scale} must be finite and the scale not 0");
        }

        if (width is < 1 or > MaxSide || height is < 1 or > MaxSide)
        {
            throw new ArgumentException($"frame pre-processing: frame {width}x{height} is outside 1..{MaxSide}");
        }

        if (rgbLength != width * height * 3)
        {
            throw new ArgumentException($"frame pre-processing: a {width}x{height} RGB frame has {width * height * 3} bytes, got {rgbLength}");
        }

        if (destinationLength != OutputLength)
        {
            throw new ArgumentException($"frame pre-processing: the destination holds {destinationLength} floats, {Channels}x{Height}x{Width} needs {OutputLength}");
        }
    }
}
