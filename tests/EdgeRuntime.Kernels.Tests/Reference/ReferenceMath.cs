namespace EdgeRuntime.Kernels.Tests.Reference;

/// <summary>
/// Plain C# loops the kernels are checked against (and the benchmark's baseline): the textbook formulas, one
/// element after another, in the same float32 operation order the kernels use, so on ILGPU's CPU accelerator the
/// results must agree bit for bit.
/// </summary>
public static class ReferenceMath
{
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    public static void Scale(float a, Span<float> x)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }

    public static void Difference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        for (var i = 0; i < a.Length; i++)
        {
            output[i] = a[i] - b[i];
        }
    }

    /// <summary>Σ w_k x_k per element, accumulated in float64 in the order given, rounded once.</summary>
    public static float[] ScaledSum(ReadOnlySpan<float> weights, IReadOnlyList<float[]> vectors)
    {
        var n = vectors[0].Length;
        var output = new float[n];
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var k = 0; k < vectors.Count; k++)
            {
                sum += (double)weights[k] * vectors[k][i];
            }

            output[i] = (float)sum;
        }

        return output;
    }

    /// <summary>Σ x·y as a sequential float64 sum.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += (double)x[i] * y[i];
        }

        return sum;
    }

    public static double L2Norm(ReadOnlySpan<float> x) => Math.Sqrt(Dot(x, x));

    /// <summary>TensorFlow's clip_by_global_norm: scale by maxNorm / max(norm, maxNorm); returns the norm before.</summary>
    public static double ClipByGlobalNorm(IReadOnlyList<float[]> vectors, double maxNorm)
    {
        var squares = vectors.Sum(v => Dot(v, v));
        var norm = Math.Sqrt(squares);
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            var factor = (float)(maxNorm / norm);
            foreach (var vector in vectors)
            {
                Scale(factor, vector);
            }
        }

        return norm;
    }

    /// <summary>One Adam / AdamW step (Kingma &amp; Ba 2015; Loshchilov &amp; Hutter 2019), step numbered from 1.</summary>
    public static void AdamStep(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step)
    {
        var stepSize = (float)(lr / (1 - Math.Pow(beta1, step)));
        var sqrtCorrection2 = (float)Math.Sqrt(1 - Math.Pow(beta2, step));
        for (var i = 0; i < p.Length; i++)
        {
            var gradient = g[i];
            var parameter = p[i];
            if (decoupled)
            {
                parameter *= 1f - (lr * weightDecay);
            }
            else
            {
                gradient += weightDecay * parameter;
            }

            m[i] = (beta1 * m[i]) + ((1f - beta1) * gradient);
            v[i] = (beta2 * v[i]) + ((1f - beta2) * gradient * gradient);
            p[i] = parameter - (stepSize * m[i] / ((MathF.Sqrt(v[i]) / sqrtCorrection2) + epsilon));
        }
    }

    /// <summary>One SGD step with momentum (PyTorch's definition, dampening 0).</summary>
    public static void SgdStep(Span<float> p, ReadOnlySpan<float> g, Span<float> buffer, float lr, float momentum, float weightDecay, bool nesterov)
    {
        for (var i = 0; i < p.Length; i++)
        {
            var gradient = g[i] + (weightDecay * p[i]);
            buffer[i] = (momentum * buffer[i]) + gradient;
            var direction = nesterov ? gradient + (momentum * buffer[i]) : buffer[i];
            p[i] -= lr * direction;
        }
    }
}
