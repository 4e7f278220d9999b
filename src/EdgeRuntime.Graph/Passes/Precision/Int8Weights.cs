namespace EdgeRuntime.Graph.Passes.Precision;

/// <summary>
/// Symmetric int8 quantisation of a weight matrix [K, N] (the MatMul layout: N output columns): q = round(w / s),
/// clamped to ±qmax, with zero point 0 and s = max|w| / qmax over the whole matrix (per tensor) or over each column
/// (per channel). qmax is 127, or 63 with reduced range (7-bit weights: on x64 without VNNI, ONNX Runtime's u8s8 kernels
/// sum pairs of u8·s8 products in int16 with vpmaddubsw, and 255·127·2 = 64770 overflows it; 255·63·2 = 32130 does not —
/// ONNX Runtime's quantisation docs, "reduce_range").
/// </summary>
public static class Int8Weights
{
    /// <summary>Per-channel is used when it at least halves the mean squared quantisation error of per-tensor.</summary>
    public const double PerChannelGain = 0.5;

    /// <summary>The quantised matrix and its scales (one, or one per column).</summary>
    /// <param name="Values">Row-major int8 values, [K, N].</param>
    /// <param name="Scales">The scale of each column (per channel) or one scale (per tensor).</param>
    /// <param name="MeanSquaredError">Mean of (w − s·q)² over the matrix.</param>
    public sealed record Quantized(sbyte[] Values, float[] Scales, double MeanSquaredError);

    /// <summary>Quantises <paramref name="weights"/> ([rows, columns], row-major).</summary>
    public static Quantized Quantize(ReadOnlySpan<float> weights, int rows, int columns, bool perChannel, bool reduceRange)
    {
        if (weights.Length != (long)rows * columns)
        {
            throw new ArgumentException($"{weights.Length} weights do not make a {rows}x{columns} matrix", nameof(weights));
        }

        var qmax = reduceRange ? 63 : 127;
        var maxima = new float[perChannel ? columns : 1];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var slot = perChannel ? c : 0;
                maxima[slot] = Math.Max(maxima[slot], Math.Abs(weights[(r * columns) + c]));
            }
        }

        // An all-zero column keeps scale 1 (any scale represents zeros exactly; 0 would divide by zero).
        var scales = maxima.Select(m => m > 0 ? m / qmax : 1f).ToArray();
        var values = new sbyte[weights.Length];
        double error = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var i = (r * columns) + c;
                var scale = scales[perChannel ? c : 0];
                var q = (sbyte)Math.Clamp(MathF.Round(weights[i] / scale, MidpointRounding.ToEven), -qmax, qmax);
                values[i] = q;
                var d = weights[i] - (q * scale);
                error += d * d;
            }
        }

        return new Quantized(values, scales, weights.Length == 0 ? 0 : error / weights.Length);
    }

    /// <summary>
    /// Per channel where it helps: quantises both ways and keeps per-channel when its error is at most
    /// <see cref="PerChannelGain"/> of per-tensor's (columns of very different ranges), per-tensor otherwise.
    /// </summary>
    public static Quantized QuantizeBest(ReadOnlySpan<float> weights, int rows, int columns, bool reduceRange)
    {
        var perTensor = Quantize(weights, rows, columns, perChannel: false, reduceRange);
        var perChannel = Quantize(weights, rows, columns, perChannel: true, reduceRange);
        return perChannel.MeanSquaredError <= PerChannelGain * perTensor.MeanSquaredError ? perChannel : perTensor;
    }

    /// <summary>
    /// Quantises weights whose channels run along the first axis ([channels, …], the Conv layout): per channel gives each
    /// of the <paramref name="channels"/> rows its own scale.
    /// </summary>
    public static Quantized QuantizeRows(ReadOnlySpan<float> weights, int channels, bool perChannel, bool reduceRange)
    {
        var width = channels == 0 ? 0 : weights.Length / channels;
        var transposed = new float[weights.Length];
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < width; i++)
            {
                transposed[(i * channels) + c] = weights[(c * width) + i];
            }
        }

        var quantized = Quantize(transposed, width, channels, perChannel, reduceRange);
        var values = new sbyte[weights.Length];
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < width; i++)
            {
                values[(c * width) + i] = quantized.Values[(i * channels) + c];
            }
        }

        return quantized with { Values = values };
    }
}
