using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// Parameter updaters on ILGPU kernels: parameters, gradients and the optimiser's moments live in one
/// <see cref="ParameterBuffer"/> on the accelerator between steps; Adam(W) or SGD with momentum steps there.
/// The accelerator (CUDA when usable, else ILGPU's CPU accelerator) is made once per process on first use and kept,
/// since creating an ILGPU context costs far more than a training round's steps.
/// </summary>
public static class KernelUpdaters
{
    private static readonly Lazy<KernelAccelerator> Shared = new(() => KernelAccelerator.Create(KernelPreference.Auto), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared accelerator's status (for logs and the device status).</summary>
    public static KernelAcceleratorStatus Status => Shared.Value.Status;

    /// <summary>An updater on the shared accelerator for <paramref name="parameters"/> (initial values, in order).</summary>
    public static IParameterUpdater Create(IReadOnlyList<float[]> parameters, TrainingOptions options) => Create(Shared.Value, parameters, options);

    /// <summary>An updater on <paramref name="accelerator"/> (borrowed, not disposed).</summary>
    public static IParameterUpdater Create(KernelAccelerator accelerator, IReadOnlyList<float[]> parameters, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        var names = parameters.Select((_, i) => $"p{i}").ToArray();
        var buffer = new ParameterBuffer(accelerator, [.. parameters.Select((values, i) => (names[i], values))]);
        try
        {
            DeviceOptimizer optimizer = options.Optimizer == OptimizerKind.Adam
                ? new AdamOptimizer(buffer, new AdamSettings((float)options.LearningRate, WeightDecay: (float)options.WeightDecay))
                : new SgdMomentumOptimizer(buffer, new SgdMomentumSettings((float)options.LearningRate, (float)options.Momentum, (float)options.WeightDecay));
            return new Updater(buffer, optimizer, names, accelerator.Status.ToString());
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private sealed class Updater(ParameterBuffer buffer, DeviceOptimizer optimizer, string[] names, string device) : IParameterUpdater
    {
        public string Device { get; } = device;

        public void SetGradient(int parameter, ReadOnlySpan<float> gradient) => buffer.SetGradients(names[parameter], gradient);

        public double GradientNorm() => buffer.GradientNorm();

        public void ScaleGradients(float factor) => buffer.Accelerator.Vectors.Scale(factor, buffer.Gradients);

        public void Step(double learningRate) => optimizer.Step((float)learningRate);

        public void CopyParameter(int parameter, Span<float> destination) => buffer.CopyParametersTo(names[parameter], destination);

        public void SetParameter(int parameter, ReadOnlySpan<float> values) => buffer.SetParameters(names[parameter], values);

        public OptimizerState ExportState() => optimizer.ExportState();

        public void ImportState(OptimizerState state) => optimizer.ImportState(state);

        public void Dispose()
        {
            optimizer.Dispose();
            buffer.Dispose();
        }
    }
}
