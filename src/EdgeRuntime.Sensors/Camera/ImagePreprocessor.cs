using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Camera;

/// <summary>
/// Turns an RGB frame into a detector's input: bilinear resize to the model's width and height, then
/// (pixel − mean) / scale per channel, planar CHW floats. This is the C# path; the ILGPU kernel path is not built yet.
/// </summary>
/// <param name="Width">Model input width.</param>
/// <param name="Height">Model input height.</param>
/// <param name="Mean">Subtracted from every 0–255 channel value (127 for UltraFace).</param>
/// <param name="Scale">Divides the result (128 for UltraFace).</param>
/// <param name="Grayscale">One channel (mean of R, G, B) instead of three.</param>
public sealed record ImagePreprocessor(int Width, int Height, float Mean = 127f, float Scale = 128f, bool Grayscale = false)
{
    /// <summary>Channels of the output.</summary>
    public int Channels => Grayscale ? 1 : 3;

    /// <summary>The CHW input for <paramref name="frame"/>.</summary>
    public float[] Prepare(RgbFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var output = new float[Channels * Width * Height];
        var plane = Width * Height;
        var xRatio = (double)frame.Width / Width;
        var yRatio = (double)frame.Height / Height;
        Span<double> rgb = stackalloc double[3];
        for (var y = 0; y < Height; y++)
        {
            var sy = Math.Clamp(((y + 0.5) * yRatio) - 0.5, 0, frame.Height - 1);
            var y0 = (int)sy;
            var y1 = Math.Min(y0 + 1, frame.Height - 1);
            var fy = sy - y0;
            for (var x = 0; x < Width; x++)
            {
                var sx = Math.Clamp(((x + 0.5) * xRatio) - 0.5, 0, frame.Width - 1);
                var x0 = (int)sx;
                var x1 = Math.Min(x0 + 1, frame.Width - 1);
                var fx = sx - x0;
                for (var c = 0; c < 3; c++)
                {
                    double P(int px, int py) => frame.Pixels[(((py * frame.Width) + px) * 3) + c];
                    var top = (P(x0, y0) * (1 - fx)) + (P(x1, y0) * fx);
                    var bottom = (P(x0, y1) * (1 - fx)) + (P(x1, y1) * fx);
                    rgb[c] = (top * (1 - fy)) + (bottom * fy);
                }

                var at = (y * Width) + x;
                if (Grayscale)
                {
                    output[at] = (float)((((rgb[0] + rgb[1] + rgb[2]) / 3.0) - Mean) / Scale);
                }
                else
                {
                    for (var c = 0; c < 3; c++)
                    {
                        output[(c * plane) + at] = (float)((rgb[c] - Mean) / Scale);
                    }
                }
            }
        }

        return output;
    }
}
