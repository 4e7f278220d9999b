using EdgeRuntime.Core.Vision;
using EdgeRuntime.Kernels.Accelerators;
using ILGPU;
using ILGPU.Runtime;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>
/// The frame pre-processing kernel behind <see cref="IFramePreprocessor"/>: uploads the frame's bytes, resizes and
/// normalises in one launch, downloads the planar floats into the caller's buffer. Same sampling as the C# path
/// (half-pixel centres, clamped edges, bilinear; see <see cref="SourceCoordinate"/>), in float32: values differ
/// from the C# path's float64 result by at most a few float32 roundings (≤ 2·10⁻⁶ measured; the tests allow 10⁻⁵).
/// </summary>
/// <remarks>
/// Thread-safe (calls queue on the accelerator). Holds device buffers for the largest frame seen so far; disposed by
/// its owner (<see cref="KernelFramePreprocessorFactory"/>, or whoever constructed it), before the accelerator.
/// </remarks>
public sealed class KernelFramePreprocessor : IFramePreprocessor, IDisposable
{
    private readonly KernelAccelerator _kernels;
    private readonly Action<KernelConfig, ArrayView<byte>, ArrayView<float>, FrameResizeScalars> _resize;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _output;
    private MemoryBuffer1D<byte, Stride1D.Dense>? _frame;

    /// <summary>Compiles the kernel (once per accelerator) and allocates the output buffer.</summary>
    /// <exception cref="ArgumentException">Settings out of range.</exception>
    public KernelFramePreprocessor(KernelAccelerator kernels, FramePreprocessing settings)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(3, 1, 1, settings.OutputLength);
        _kernels = kernels;
        Settings = settings;
        _resize = kernels.Family(FrameKernels.Load).Resize;
        using var scope = kernels.Enter();
        _output = kernels.Accelerator.Allocate1D<float>(settings.OutputLength);
    }

    /// <inheritdoc />
    public FramePreprocessing Settings { get; }

    /// <inheritdoc />
    public void Prepare(ReadOnlySpan<byte> rgb, int width, int height, Span<float> destination)
    {
        Settings.Validate(rgb.Length, width, height, destination.Length);
        using var scope = _kernels.Enter();
        if (_frame is null || _frame.Length < rgb.Length)
        {
            _frame?.Dispose();
            _frame = _kernels.Accelerator.Allocate1D<byte>(rgb.Length);
        }

        HostCopies.CopyFrom(_kernels, _frame, 0, rgb);
        var scalars = new FrameResizeScalars(width, height, Settings.Width, Settings.Height, Settings.Mean, Settings.Scale, Settings.Grayscale ? 1 : 0);
        _resize(_kernels.Launch((long)Settings.Width * Settings.Height), _frame.View, _output.View, scalars);

        // The copy back waits for the kernel.
        HostCopies.CopyTo(_kernels, _output, 0, destination);
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        _kernels.Release(_output);
        if (_frame is { } frame)
        {
            _kernels.Release(frame);
        }
    }

    /// <summary>The compiled kernel of one accelerator.</summary>
    private sealed class FrameKernels
    {
        private FrameKernels(Accelerator accelerator) =>
            Resize = accelerator.LoadStreamKernel<ArrayView<byte>, ArrayView<float>, FrameResizeScalars>(FramePreprocessKernelBody.Resize);

        public Action<KernelConfig, ArrayView<byte>, ArrayView<float>, FrameResizeScalars> Resize { get; }

        public static FrameKernels Load(KernelAccelerator kernels) => new(kernels.Accelerator);
    }
}
