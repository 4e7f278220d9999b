namespace EdgeRuntime.Sensors.Vision;

/// <summary>
/// The prior (anchor) boxes of UltraFace ("Ultra-Light-Fast-Generic-Face-Detector-1MB", Linzaer 2019,
/// <c>vision/utils/box_utils.py generate_priors</c>): for each stride 8, 16, 32, 64 a feature map of
/// ⌈W/stride⌉ × ⌈H/stride⌉ cells, and per cell one square prior per minimum size (10, 16, 24 | 32, 48 | 64, 96 |
/// 128, 192, 256 pixels), row by row, clamped to [0, 1]. At 320 × 240 that is 4420 priors, the same constants the
/// with-post-processing export embeds.
/// </summary>
public static class UltraFacePriors
{
    private static readonly int[] Strides = [8, 16, 32, 64];
    private static readonly int[][] MinimumSizes = [[10, 16, 24], [32, 48], [64, 96], [128, 192, 256]];

    /// <summary>Priors in centre-size form, 4 floats each (cx, cy, w, h as fractions of the input), for a <paramref name="width"/> × <paramref name="height"/> input.</summary>
    public static float[] Generate(int width = 320, int height = 240)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var priors = new List<float>();
        for (var level = 0; level < Strides.Length; level++)
        {
            var columns = (width + Strides[level] - 1) / Strides[level];
            var rows = (height + Strides[level] - 1) / Strides[level];
            for (var j = 0; j < rows; j++)
            {
                for (var i = 0; i < columns; i++)
                {
                    foreach (var size in MinimumSizes[level])
                    {
                        priors.Add(Clamp((i + 0.5f) / columns));
                        priors.Add(Clamp((j + 0.5f) / rows));
                        priors.Add(Clamp((float)size / width));
                        priors.Add(Clamp((float)size / height));
                    }
                }
            }
        }

        return [.. priors];
    }

    private static float Clamp(float value) => Math.Clamp(value, 0f, 1f);
}
