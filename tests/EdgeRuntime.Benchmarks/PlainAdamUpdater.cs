using EdgeRuntime.Kernels.Training;
using EdgeRuntime.Learning.Training;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// Adam in plain C# on the calling thread (no accelerator, no worker threads): the device-day benchmark's control for
/// what the ILGPU CPU accelerator's workers do to serving latency (<c>--plain-updater</c>). Same update as
/// OptimizerKernelBodies.AdamStep (Kingma &amp; Ba 2015, Algorithm 1, with AdamW's decoupled decay).
/// </summary>
internal sealed class PlainAdamUpdater(IReadOnlyList<float[]> initial, TrainingOptions options) : IParameterUpdater
{
    private readonly float[][] _parameters = [.. initial.Select(p => (float[])p.Clone())];
    private readonly float[][] _gradients = [.. initial.Select(p => new float[p.Length])];
    private readonly float[][] _m = [.. initial.Select(p => new float[p.Length])];
    private readonly float[][] _v = [.. initial.Select(p => new float[p.Length])];
    private readonly float _decay = options.Optimizer == OptimizerKind.Adam
        ? (float)options.WeightDecay
        : throw new NotSupportedException("the plain control updater is AdamW only");
    private int _t;

    public string Device => "plain C# (control)";

    public void SetGradient(int parameter, ReadOnlySpan<float> gradient) => gradient.CopyTo(_gradients[parameter]);

    public double GradientNorm()
    {
        double sum = 0;
        foreach (var g in _gradients)
        {
            foreach (var x in g)
            {
                sum += (double)x * x;
            }
        }

        return Math.Sqrt(sum);
    }

    public void ScaleGradients(float factor)
    {
        foreach (var g in _gradients)
        {
            for (var i = 0; i < g.Length; i++)
            {
                g[i] *= factor;
            }
        }
    }

    public void Step(double learningRate)
    {
        _t++;
        const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        var stepSize = (float)(learningRate / (1 - Math.Pow(beta1, _t)));
        var sqrtBias2 = (float)Math.Sqrt(1 - Math.Pow(beta2, _t));
        var decayFactor = 1 - ((float)learningRate * _decay);
        for (var k = 0; k < _parameters.Length; k++)
        {
            var (p, g, m, v) = (_parameters[k], _gradients[k], _m[k], _v[k]);
            for (var i = 0; i < p.Length; i++)
            {
                p[i] *= decayFactor;
                m[i] = (beta1 * m[i]) + ((1 - beta1) * g[i]);
                v[i] = (beta2 * v[i]) + ((1 - beta2) * g[i] * g[i]);
                p[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) / sqrtBias2) + epsilon);
            }
        }
    }

    public void CopyParameter(int parameter, Span<float> destination) => _parameters[parameter].CopyTo(destination);

    public OptimizerState ExportState() => throw new NotSupportedException("the plain control updater keeps no exportable state");

    public void ImportState(OptimizerState state) => throw new NotSupportedException("the plain control updater keeps no exportable state");

    public void SetParameter(int parameter, ReadOnlySpan<float> values) => values.CopyTo(_parameters[parameter]);

    public void Dispose()
    {
    }
}
