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
    /// <summary>
    /// The nice value of on-device training: its thread and, on the CPU, the kernels' worker threads. Not SCHED_IDLE as
    /// well: next to serving on two cores that raised the serving p99 (docs/learning.md, "Training next to serving").
    /// </summary>
    public const int BackgroundNice = 10;

    private static readonly Lazy<KernelAccelerator> Shared = new(() => KernelAccelerator.Create(KernelPreference.Auto), LazyThreadSafetyMode.ExecutionAndPublication);

    // Training next to serving on the CPU: one multiprocessor whose workers yield to serving (KernelCpuSettings).
    private static readonly Lazy<KernelAccelerator> BackgroundCpu = new(() => KernelAccelerator.Create(KernelPreference.Cpu, cpu: new KernelCpuSettings(Multiprocessors: 1, WorkerNice: BackgroundNice)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared accelerator's status (for logs and the device status).</summary>
    public static KernelAcceleratorStatus Status => Shared.Value.Status;

    /// <summary>The accelerator <see cref="Create(IReadOnlyList{float[]}, TrainingOptions)"/> uses, made on first use and kept for the process.</summary>
    public static KernelAccelerator SharedAccelerator => Shared.Value;

    /// <summary>
    /// The accelerator for on-device training next to serving: <paramref name="shared"/> itself on CUDA (the GPU's queue
    /// does not take the board's cores), otherwise a CPU accelerator of its own, made once per process, with one worker
    /// group at <see cref="BackgroundNice"/>.
    /// </summary>
    public static KernelAccelerator ForBackground(KernelAccelerator shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        return shared.Kind == AcceleratorKind.Cuda ? shared : BackgroundCpu.Value;
    }

    /// <summary>An updater on the shared accelerator for <paramref name="parameters"/> (initial values, in order): for training that has the device to itself (edgectl, simulations).</summary>
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

    // A step moves every tensor's gradient up in one copy and every parameter down in one copy (rather than one copy a
    // tensor each way): fewer transfers on CUDA, and on the CPU accelerator each transfer wraps the host memory in a
    // short-lived accelerator object whose bookkeeping the collector then has to clean up.
    private sealed class Updater(ParameterBuffer buffer, DeviceOptimizer optimizer, string[] names, string device) : IParameterUpdater
    {
        private readonly float[] _gradients = new float[buffer.Length];
        private readonly float[] _parameters = new float[buffer.Length];
        private bool _gradientsStaged;
        private bool _parametersStale = true;

        public string Device { get; } = device;

        public void SetGradient(int parameter, ReadOnlySpan<float> gradient)
        {
            var slot = buffer.Slot(names[parameter]);
            if (gradient.Length != slot.Length)
            {
                throw new ArgumentException($"gradient for '{names[parameter]}' has {gradient.Length} values, the tensor has {slot.Length}");
            }

            gradient.CopyTo(_gradients.AsSpan(slot.Offset, slot.Length));
            _gradientsStaged = true;
        }

        public double GradientNorm()
        {
            Upload();
            return buffer.GradientNorm();
        }

        public void ScaleGradients(float factor)
        {
            Upload();
            buffer.Accelerator.Vectors.Scale(factor, buffer.Gradients);
        }

        public void Step(double learningRate)
        {
            Upload();
            optimizer.Step((float)learningRate);
            _parametersStale = true;
        }

        public void CopyParameter(int parameter, Span<float> destination)
        {
            var slot = buffer.Slot(names[parameter]);
            if (destination.Length != slot.Length)
            {
                throw new ArgumentException($"destination for '{names[parameter]}' has {destination.Length} values, the tensor has {slot.Length}");
            }

            if (_parametersStale)
            {
                buffer.Parameters.CopyTo(_parameters);
                _parametersStale = false;
            }

            _parameters.AsSpan(slot.Offset, slot.Length).CopyTo(destination);
        }

        public void SetParameter(int parameter, ReadOnlySpan<float> values)
        {
            buffer.SetParameters(names[parameter], values);
            _parametersStale = true;
        }

        public OptimizerState ExportState() => optimizer.ExportState();

        public void ImportState(OptimizerState state) => optimizer.ImportState(state);

        public void Dispose()
        {
            optimizer.Dispose();
            buffer.Dispose();
        }

        private void Upload()
        {
            if (_gradientsStaged)
            {
                buffer.Gradients.CopyFrom(_gradients);
                _gradientsStaged = false;
            }
        }
    }
}
