using EdgeRuntime.Kernels.Training;
using EdgeRuntime.Learning.Training;

namespace EdgeRuntime.Federated.Device;

/// <summary>
/// SCAFFOLD's drift correction on a device (Karimireddy et al., "SCAFFOLD: Stochastic Controlled Averaging for Federated
/// Learning", ICML 2020, Algorithm 1): every local gradient g becomes g − cᵢ + c before the optimiser sees it, where c
/// is the fleet's control variate (the mean over devices of their cᵢ) and cᵢ this device's own (the mean raw gradient
/// of its previous round: for plain SGD the paper's option II, (x − y)/(Kη)). The correction is the difference
/// between the fleet's and this device's average gradient, so a local epoch follows the pooled loss's direction instead
/// of drifting to the device's own optimum. Wraps another updater; records the raw gradients of this round so that
/// <see cref="MeanRawGradient"/> gives the device's next cᵢ. Parameter order and lengths are the wrapped updater's.
/// </summary>
public sealed class ControlVariateUpdater : IParameterUpdater
{
    private readonly IParameterUpdater _inner;
    private readonly IReadOnlyList<float[]>? _correction;
    private readonly double[][] _sums;
    private float[] _scratch = [];
    private long _steps;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="correction"/> (c − cᵢ per parameter, same lengths; null: none) is added to every gradient.</summary>
    /// <exception cref="ArgumentException">The correction's shape differs from the parameters'.</exception>
    public ControlVariateUpdater(IParameterUpdater inner, IReadOnlyList<float[]> parameters, IReadOnlyList<float[]>? correction)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(parameters);
        if (correction is not null && (correction.Count != parameters.Count || correction.Where((c, i) => c.Length != parameters[i].Length).Any()))
        {
            throw new ArgumentException($"control variate correction: {correction.Count} tensors of {correction.Sum(c => (long)c.Length)} values do not fit {parameters.Count} parameters of {parameters.Sum(p => (long)p.Length)} values", nameof(correction));
        }

        _inner = inner;
        _correction = correction;
        _sums = [.. parameters.Select(p => new double[p.Length])];
    }

    /// <summary>Steps taken so far.</summary>
    public long Steps => _steps;

    /// <inheritdoc />
    public string Device => _inner.Device;

    /// <summary>The mean of the raw (uncorrected, unclipped) gradients over the steps taken, per parameter; zeros before any step.</summary>
    public float[][] MeanRawGradient() => [.. _sums.Select(s => s.Select(v => _steps == 0 ? 0f : (float)(v / _steps)).ToArray())];

    /// <inheritdoc />
    public void SetGradient(int parameter, ReadOnlySpan<float> gradient)
    {
        var sum = _sums[parameter];
        for (var i = 0; i < gradient.Length; i++)
        {
            sum[i] += gradient[i];
        }

        if (_correction is null)
        {
            _inner.SetGradient(parameter, gradient);
            return;
        }

        if (_scratch.Length < gradient.Length)
        {
            _scratch = new float[gradient.Length];
        }

        var corrected = _scratch.AsSpan(0, gradient.Length);
        var correction = _correction[parameter];
        for (var i = 0; i < gradient.Length; i++)
        {
            corrected[i] = gradient[i] + correction[i];
        }

        _inner.SetGradient(parameter, corrected);
    }

    /// <inheritdoc />
    public double GradientNorm() => _inner.GradientNorm();

    /// <inheritdoc />
    public void ScaleGradients(float factor) => _inner.ScaleGradients(factor);

    /// <inheritdoc />
    public void Step(double learningRate)
    {
        _inner.Step(learningRate);
        _steps++;
    }

    /// <inheritdoc />
    public void CopyParameter(int parameter, Span<float> destination) => _inner.CopyParameter(parameter, destination);

    /// <inheritdoc />
    public OptimizerState ExportState() => _inner.ExportState();

    /// <inheritdoc />
    public void ImportState(OptimizerState state) => _inner.ImportState(state);

    /// <inheritdoc />
    public void SetParameter(int parameter, ReadOnlySpan<float> values) => _inner.SetParameter(parameter, values);

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();
}
