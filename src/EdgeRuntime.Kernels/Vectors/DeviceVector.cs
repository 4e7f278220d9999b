using EdgeRuntime.Kernels.Accelerators;
using ILGPU;
using ILGPU.Runtime;

namespace EdgeRuntime.Kernels.Vectors;

/// <summary>
/// A float32 vector in the accelerator's memory (GPU memory under CUDA, ordinary memory on the CPU
/// accelerator). Made by <see cref="KernelAccelerator.Allocate"/> or <see cref="KernelAccelerator.Upload"/>; the
/// caller disposes it, before the accelerator. Copies in and out are synchronous.
/// </summary>
public sealed class DeviceVector : IDisposable
{
    /// <summary>The longest vector: 2³⁰ floats (4 GiB), so grid-stride indices never overflow an int.</summary>
    public const int MaxLength = 1 << 30;

    private readonly MemoryBuffer1D<float, Stride1D.Dense> _buffer;

    internal DeviceVector(KernelAccelerator owner, int length)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (length is < 0 or > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"a device vector holds 0..{MaxLength} floats");
        }

        Owner = owner;
        Length = length;
        using var scope = owner.Enter();

        // ILGPU refuses empty buffers; an empty vector keeps one spare element and a zero-length view.
        _buffer = owner.Accelerator.Allocate1D<float>(Math.Max(1, length));
        _buffer.MemSetToZero();
        owner.Accelerator.Synchronize();
    }

    /// <summary>Elements.</summary>
    public int Length { get; }

    /// <summary>The accelerator it lives on.</summary>
    public KernelAccelerator Owner { get; }

    /// <summary>The whole vector as a kernel argument (use inside <see cref="KernelAccelerator.Enter"/>).</summary>
    internal ArrayView<float> View => _buffer.AsContiguous().SubView(0, Length);

    /// <summary>Overwrites the vector with <paramref name="values"/> (exactly <see cref="Length"/> of them).</summary>
    public void CopyFrom(ReadOnlySpan<float> values)
    {
        if (values.Length != Length)
        {
            throw new ArgumentException($"device vector: {values.Length} values given for a vector of {Length}");
        }

        CopyFrom(0, values);
    }

    /// <summary>Overwrites elements [<paramref name="offset"/>, offset + values.Length).</summary>
    /// <exception cref="ArgumentException">The range does not fit.</exception>
    public void CopyFrom(int offset, ReadOnlySpan<float> values)
    {
        CheckRange(offset, values.Length);
        if (values.IsEmpty)
        {
            return;
        }

        using var scope = Owner.Enter();
        HostCopies.CopyFrom(Owner, _buffer, offset, values);
    }

    /// <summary>Copies the whole vector into <paramref name="destination"/> (exactly <see cref="Length"/> floats).</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length != Length)
        {
            throw new ArgumentException($"device vector: {Length} values do not fit a destination of {destination.Length}");
        }

        CopyTo(0, destination);
    }

    /// <summary>Copies elements [<paramref name="offset"/>, offset + destination.Length) into <paramref name="destination"/>.</summary>
    public void CopyTo(int offset, Span<float> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.IsEmpty)
        {
            return;
        }

        using var scope = Owner.Enter();
        HostCopies.CopyTo(Owner, _buffer, offset, destination);
    }

    /// <summary>A new array with the vector's values.</summary>
    public float[] ToArray()
    {
        var values = new float[Length];
        CopyTo(values);
        return values;
    }

    /// <summary>Frees the device memory (nothing to do once the accelerator itself is disposed).</summary>
    public void Dispose() => Owner.Release(_buffer);

    private void CheckRange(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > Length)
        {
            throw new ArgumentException($"device vector: elements {offset}..{(long)offset + count} are outside its {Length}");
        }
    }
}
