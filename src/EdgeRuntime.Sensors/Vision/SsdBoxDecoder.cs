namespace EdgeRuntime.Sensors.Vision;

/// <summary>
/// Decodes SSD box regressions against priors (Liu et al. 2016, "SSD: Single Shot MultiBox Detector", §2.2 with the
/// centre-size variances of the reference implementation): for a prior (pcx, pcy, pw, ph) and regression
/// (dx, dy, dw, dh), centre = (dx·cv·pw + pcx, dy·cv·ph + pcy), size = (exp(dw·sv)·pw, exp(dh·sv)·ph), then corners
/// centre ∓ size/2. UltraFace uses cv = 0.1, sv = 0.2 (its export with post-processing runs exactly this graph).
/// This is the C# reference; the ILGPU kernel is <c>EdgeRuntime.Kernels.Vision.KernelDetectionDecoder</c>.
/// </summary>
public static class SsdBoxDecoder
{
    /// <summary>Corner boxes (left, top, right, bottom; frame fractions, unclamped), 4 floats per prior.</summary>
    /// <param name="locations">Regressions, 4 per prior.</param>
    /// <param name="priors">Priors in centre-size form, 4 per prior.</param>
    /// <param name="centerVariance">cv. Default 0.1.</param>
    /// <param name="sizeVariance">sv. Default 0.2.</param>
    /// <exception cref="InvalidDataException">The regressions and priors disagree in count.</exception>
    public static float[] Decode(ReadOnlySpan<float> locations, ReadOnlySpan<float> priors, float centerVariance = 0.1f, float sizeVariance = 0.2f)
    {
        if (locations.Length != priors.Length || priors.Length % 4 != 0)
        {
            throw new InvalidDataException($"SSD decode: {locations.Length / 4.0} regressions for {priors.Length / 4.0} priors");
        }

        var corners = new float[priors.Length];
        for (var i = 0; i < priors.Length; i += 4)
        {
            var cx = (locations[i] * centerVariance * priors[i + 2]) + priors[i];
            var cy = (locations[i + 1] * centerVariance * priors[i + 3]) + priors[i + 1];
            var w = MathF.Exp(locations[i + 2] * sizeVariance) * priors[i + 2];
            var h = MathF.Exp(locations[i + 3] * sizeVariance) * priors[i + 3];
            corners[i] = cx - (w / 2);
            corners[i + 1] = cy - (h / 2);
            corners[i + 2] = cx + (w / 2);
            corners[i + 3] = cy + (h / 2);
        }

        return corners;
    }
}
