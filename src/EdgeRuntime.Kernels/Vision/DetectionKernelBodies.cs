using ILGPU;
using ILGPU.Algorithms;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>Detector post-processing kernels: threshold + decode + compaction, then the pairwise suppression mask.</summary>
internal static class DetectionKernelBodies
{
    /// <summary>Bits per suppression-mask word.</summary>
    public const int WordBits = 64;

    /// <summary>
    /// For every prior whose object score is above the threshold: decode its box against the prior (SSD centre-size
    /// form, see EdgeRuntime.Sensors.Vision.SsdBoxDecoder), clamp the corners to [0, 1], store it at the prior's
    /// place in <paramref name="boxes"/>, and append the prior's index to <paramref name="candidates"/> (order
    /// arbitrary; the host sorts).
    /// </summary>
    public static void DecodeSelect(ArrayView<float> scores, ArrayView<float> locations, ArrayView<float> priors, ArrayView<float> boxes, ArrayView<int> candidates, ArrayView<int> count, DetectionScalars s)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < s.Priors; i += stride)
        {
            var score = scores[(i * s.Classes) + s.ObjectClass];
            if (!(score > s.ScoreThreshold))
            {
                continue;
            }

            var at = i * 4;
            var cx = (locations[at] * s.CenterVariance * priors[at + 2]) + priors[at];
            var cy = (locations[at + 1] * s.CenterVariance * priors[at + 3]) + priors[at + 1];
            var w = XMath.Exp(locations[at + 2] * s.SizeVariance) * priors[at + 2];
            var h = XMath.Exp(locations[at + 3] * s.SizeVariance) * priors[at + 3];
            boxes[at] = Clamp01(cx - (w / 2));
            boxes[at + 1] = Clamp01(cy - (h / 2));
            boxes[at + 2] = Clamp01(cx + (w / 2));
            boxes[at + 3] = Clamp01(cy + (h / 2));
            candidates[Atomic.Add(ref count[0], 1)] = i;
        }
    }

    /// <summary>
    /// The suppression mask of the candidates sorted best first (the layout of torchvision's CUDA NMS): bit b of
    /// word w in row r is set when candidate j = 64w + b comes after r and overlaps it by IoU above the threshold.
    /// A greedy scan over the rows on the host then gives exactly the sequential greedy NMS.
    /// </summary>
    public static void SuppressionMask(ArrayView<float> boxes, ArrayView<int> order, ArrayView<ulong> mask, int candidates, int words, float iouThreshold)
    {
        var items = candidates * words;
        var stride = Grid.DimX * Group.DimX;
        for (var item = Grid.GlobalIndex.X; item < items; item += stride)
        {
            var row = item / words;
            var word = item - (row * words);
            var a = order[row] * 4;
            var bits = 0UL;
            for (var bit = 0; bit < WordBits; bit++)
            {
                var column = (word * WordBits) + bit;
                if (column > row && column < candidates)
                {
                    var b = order[column] * 4;
                    var iou = IntersectionOverUnion(boxes[a], boxes[a + 1], boxes[a + 2], boxes[a + 3], boxes[b], boxes[b + 1], boxes[b + 2], boxes[b + 3]);
                    if (iou > iouThreshold)
                    {
                        bits |= 1UL << bit;
                    }
                }
            }

            mask[item] = bits;
        }
    }

    /// <summary>The same arithmetic as EdgeRuntime.Sensors.Vision.Detection.IntersectionOverUnion (kept bit-identical on the CPU).</summary>
    private static float IntersectionOverUnion(float left, float top, float right, float bottom, float otherLeft, float otherTop, float otherRight, float otherBottom)
    {
        var w = Min(right, otherRight) - Max(left, otherLeft);
        var h = Min(bottom, otherBottom) - Max(top, otherTop);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var intersection = w * h;
        var area = Max(0, right - left) * Max(0, bottom - top);
        var otherArea = Max(0, otherRight - otherLeft) * Max(0, otherBottom - otherTop);
        return intersection / (area + otherArea - intersection);
    }

    private static float Clamp01(float value) => value < 0 ? 0 : value > 1 ? 1 : value;

    private static float Min(float a, float b) => a < b ? a : b;

    private static float Max(float a, float b) => a > b ? a : b;
}
