using EdgeRuntime.Core.Vision;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Camera;

/// <summary>
/// Turns an RGB frame into a detector's input: bilinear resize to the model's width and height, then
/// (pixel − mean) / scale per channel, planar CHW floats. This is the C# path, in float64 arithmetic; the ILGPU
/// kernel (<c>EdgeRuntime.Kernels.Vision.KernelFramePreprocessor</c>) computes the same formula and is tested
/// against this one.
/// </summary>
/// <remarks>
/// Sampling: output pixel (x, y) reads the source at sx = (x + 0.5) · W/w − 0.5, sy likewise (half-pixel centres,
/// as OpenCV's INTER_LINEAR and ONNX Resize's half_pixel mode), clamped to [0, W − 1] × [0, H − 1]; the four
/// neighbours are blended with weights (1 − fx, fx) × (1 − fy, fy). Stateless and thread-safe.
/// </remarks>
/// <param name="Width">Model input width.</param>
/// <param name="Height">Model input height.</param>
/// <param name="Mean">Subtracted from every 0–255 channel value (127 for UltraFace).</param>
/// <param name="Scale">Divides the result (128 for UltraFace).</param>
/// <param name="Grayscale">One channel (mean of R, G, B) instead of three.</param>
public sealed record ImagePreprocessor(int Width, int Height, float Mean = 127f, float Scale = 128f, bool Grayscale = false) : IFramePreprocessor
{
    /// <summary>The same pre-processing described by <paramref name="settings"/>.</summary>
    public ImagePreprocessor(FramePreprocessing settings)
        : this((settings ?? throw new ArgumentNullException(nameof(settings))).Width, settings.Height, settings.Mean, settings.Scale, settings.Grayscale)
    {
    }

    /// <summary>Channels of the output.</summary>
    public int Channels => Grayscale ? 1 : 3;

    /// <inheritdoc />
    public FramePreprocessing Settings => new(Width, Height, Mean, Scale, Grayscale);

    /// <summary>The CHW input for <paramref name="frame"/>.</summary>
    public float[] Prepare(RgbFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var output = new float[Channels * Width * Height];
        Prepare(frame.Pixels, frame.Width, frame.Height, output);
        return output;
    }

    /// <inheritdoc />
    public void Prepare(ReadOnlySpan<byte> rgb, int width, int height, Span<float> destination)
    {
        Settings.Validate(rgb.Length, width, height, destination.Length);
        var plane = Width * Height;
        var xRatio = (double)width / Width;
        var yRatio = (double)height / Height;
        Span<double> blended = stackalloc double[3];
        for (var y = 0; y < Height; y++)
        {
            var sy = Math.Clamp(((y + 0.5) * yRatio) - 0.5, 0, height - 1);
            var y0 = (int)sy;
            var y1 = Math.Min(y0 + 1, height - 1);
            var fy = sy - y0;
            for (var x = 0; x < Width; x++)
            {
                var sx = Math.Clamp(((x + 0.5) * xRatio) - 0.5, 0, width - 1);
                var x0 = (int)sx;
                var x1 = Math.Min(x0 + 1, width - 1);
                var fx = sx - x0;
                for (var c = 0; c < 3; c++)
                {
                    double p00 = rgb[(((y0 * width) + x0) * 3) + c], p10 = rgb[(((y0 * width) + x1) * 3) + c];
                    double p01 = rgb[(((y1 * width) + x0) * 3) + c], p11 = rgb[(((y1 * width) + x1) * 3) + c];
                    var top = (p00 * (1 - fx)) + (p10 * fx);
                    var bottom = (p01 * (1 - fx)) + (p11 * fx);
                    blended[c] = (top * (1 - fy)) + (bottom * fy);
                }

                var at = (y * Width) + x;
                if (Grayscale)
                {
                    destination[at] = (float)((((blended[0] + blended[1] + blended[2]) / 3.0) - Mean) / Scale);
                }
                else
                {
                    for (var c = 0; c < 3; c++)
                    {
                        destination[(c * plane) + at] = (float)((blended[c] - Mean) / Scale);
                    }
                }
            }
        }
    }
}
