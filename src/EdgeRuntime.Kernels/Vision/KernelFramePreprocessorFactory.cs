using EdgeRuntime.Core.Vision;
using EdgeRuntime.Kernels.Accelerators;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>
/// The kernel path behind the frame-preprocessor seam: one <see cref="KernelFramePreprocessor"/> per distinct
/// setting, kept and owned here. Dispose the factory (which frees them) before the accelerator; the accelerator stays
/// the caller's.
/// </summary>
public sealed class KernelFramePreprocessorFactory(KernelAccelerator kernels) : IFramePreprocessorFactory, IDisposable
{
    private readonly Dictionary<FramePreprocessing, KernelFramePreprocessor> _made = [];
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public string Description => $"ILGPU kernel on {kernels.Status}";

    /// <inheritdoc />
    public IFramePreprocessor For(FramePreprocessing settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        lock (_gate)
        {
            if (!_made.TryGetValue(settings, out var preprocessor))
            {
                preprocessor = new KernelFramePreprocessor(kernels, settings);
                _made[settings] = preprocessor;
            }

            return preprocessor;
        }
    }

    /// <summary>Frees every pre-processor made.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var preprocessor in _made.Values)
            {
                preprocessor.Dispose();
            }

            _made.Clear();
        }
    }
}
