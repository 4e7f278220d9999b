using ILGPU;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>
/// uint8 HWC RGB → normalised float CHW with a bilinear resize, in one pass: each output pixel reads its four
/// source neighbours once and writes its 3 (or 1) planar values. Same formula as the C# path
/// (<c>EdgeRuntime.Sensors.Camera.ImagePreprocessor</c>), in float32 arithmetic.
/// </summary>
internal static class FramePreprocessKernelBody
{
    public static void Resize(ArrayView<byte> rgb, ArrayView<float> output, FrameResizeScalars s)
    {
        var pixels = s.Width * s.Height;
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < pixels; i += stride)
        {
            var y = i / s.Width;
            var x = i - (y * s.Width);
            var sx = new SourceCoordinate(x, s.SourceWidth, s.Width);
            var sy = new SourceCoordinate(y, s.SourceHeight, s.Height);
            var top = sy.First * s.SourceWidth;
            var bottom = sy.Second * s.SourceWidth;
            var r = Blend(rgb, top, bottom, sx, sy.Fraction, 0);
            var g = Blend(rgb, top, bottom, sx, sy.Fraction, 1);
            var b = Blend(rgb, top, bottom, sx, sy.Fraction, 2);
            if (s.Grayscale != 0)
            {
                output[i] = (((r + g + b) / 3f) - s.Mean) / s.Scale;
            }
            else
            {
                output[i] = (r - s.Mean) / s.Scale;
                output[pixels + i] = (g - s.Mean) / s.Scale;
                output[(2 * pixels) + i] = (b - s.Mean) / s.Scale;
            }
        }
    }

    private static float Blend(ArrayView<byte> rgb, int top, int bottom, SourceCoordinate sx, float fy, int channel)
    {
        float p00 = rgb[((top + sx.First) * 3) + channel];
        float p10 = rgb[((top + sx.Second) * 3) + channel];
        float p01 = rgb[((bottom + sx.First) * 3) + channel];
        float p11 = rgb[((bottom + sx.Second) * 3) + channel];
        var upper = (p00 * (1 - sx.Fraction)) + (p10 * sx.Fraction);
        var lower = (p01 * (1 - sx.Fraction)) + (p11 * sx.Fraction);
        return (upper * (1 - fy)) + (lower * fy);
    }
}
