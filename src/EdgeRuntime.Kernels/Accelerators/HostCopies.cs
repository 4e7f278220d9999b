using EdgeRuntime.Core.Compute;
using ILGPU;
using ILGPU.Runtime;

namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>
/// Copies between host spans and accelerator buffers that make no ILGPU object on the CPU accelerator. ILGPU's
/// CopyFromCPU/CopyToCPU wrap the host span in a short-lived accelerator object for every copy, and the accelerator keeps
/// a weak reference to each; a training round's thousands of copies grew that list into large-object arrays, and each
/// of those started a gen 2 collection that stopped serving for 100 ms and more (docs/learning.md, "Training next to
/// serving"). On the CPU accelerator a buffer is ordinary memory at its NativePtr, so these copy through the pointer
/// after the accelerator has finished its queued kernels; on CUDA they are ILGPU's own copies. Call inside
/// <see cref="KernelAccelerator.Enter"/>.
/// </summary>
internal static class HostCopies
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="buffer"/> from element <paramref name="offset"/>.</summary>
    public static void CopyFrom<T>(KernelAccelerator owner, MemoryBuffer1D<T, Stride1D.Dense> buffer, long offset, ReadOnlySpan<T> source)
        where T : unmanaged
    {
        if (source.IsEmpty)
        {
            return;
        }

        if (owner.Kind == AcceleratorKind.Cpu)
        {
            owner.Accelerator.Synchronize();
            source.CopyTo(HostSpan(buffer, offset, source.Length));
            return;
        }

        buffer.AsContiguous().SubView(offset, source.Length).CopyFromCPU(source);
    }

    /// <summary>Copies <paramref name="destination"/>.Length elements of <paramref name="buffer"/> from element <paramref name="offset"/>.</summary>
    public static void CopyTo<T>(KernelAccelerator owner, MemoryBuffer1D<T, Stride1D.Dense> buffer, long offset, Span<T> destination)
        where T : unmanaged
    {
        if (destination.IsEmpty)
        {
            return;
        }

        if (owner.Kind == AcceleratorKind.Cpu)
        {
            owner.Accelerator.Synchronize();
            HostSpan(buffer, offset, destination.Length).CopyTo(destination);
            return;
        }

        buffer.AsContiguous().SubView(offset, destination.Length).CopyToCPU(destination);
    }

    private static unsafe Span<T> HostSpan<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer, long offset, int count)
        where T : unmanaged
    {
        if (offset < 0 || offset + count > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"elements {offset}..{offset + count} are outside a buffer of {buffer.Length}");
        }

        return new Span<T>((T*)buffer.NativePtr + offset, count);
    }
}
