using ILGPU;

namespace EdgeRuntime.Kernels.Vectors;

/// <summary>
/// The vector kernels. Each is a grid-stride loop: thread t of a launch of T threads handles elements t, t + T,
/// t + 2T, … (coalesced on a GPU, few synchronisations on the CPU accelerator).
/// </summary>
internal static class VectorKernelBodies
{
    /// <summary>Shared memory of a reduction: enough for the largest CUDA group (1024 threads).</summary>
    public const int MaxGroupSize = 1024;

    /// <summary>y ← a·x + y.</summary>
    public static void Axpy(ArrayView<float> x, ArrayView<float> y, float a, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>x ← a·x.</summary>
    public static void Scale(ArrayView<float> x, float a, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            x[i] *= a;
        }
    }

    /// <summary>output ← a − b.</summary>
    public static void Difference(ArrayView<float> a, ArrayView<float> b, ArrayView<float> output, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            output[i] = a[i] - b[i];
        }
    }

    /// <summary>sum ← (first ? 0 : sum) + w·x, in float64.</summary>
    public static void AccumulateScaled(ArrayView<double> sum, ArrayView<float> x, double w, int first, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            var previous = first != 0 ? 0.0 : sum[i];
            sum[i] = previous + (w * x[i]);
        }
    }

    /// <summary>output ← (float)sum.</summary>
    public static void Narrow(ArrayView<double> sum, ArrayView<float> output, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            output[i] = (float)sum[i];
        }
    }

    /// <summary>
    /// partials[group] ← Σ x·y over the group's elements, in float64: each thread sums its strided elements, then
    /// the group adds its threads' sums pairwise in shared memory (a tree of depth log₂ group size). The host adds
    /// the partials in group order, so the result is the same on every run for a given launch shape.
    /// </summary>
    public static void SumOfProducts(ArrayView<float> x, ArrayView<float> y, ArrayView<double> partials, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        var sum = 0.0;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            sum += (double)x[i] * y[i];
        }

        ReduceGroup(sum, partials);
    }

    /// <summary>partials[group] ← Σ x² over the group's elements, in float64 (as <see cref="SumOfProducts"/>).</summary>
    public static void SumOfSquares(ArrayView<float> x, ArrayView<double> partials, int n)
    {
        var stride = Grid.DimX * Group.DimX;
        var sum = 0.0;
        for (var i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            double value = x[i];
            sum += value * value;
        }

        ReduceGroup(sum, partials);
    }

    private static void ReduceGroup(double sum, ArrayView<double> partials)
    {
        var shared = SharedMemory.Allocate<double>(MaxGroupSize);
        var thread = Group.IdxX;
        shared[thread] = sum;
        Group.Barrier();
        for (var half = Group.DimX / 2; half > 0; half /= 2)
        {
            if (thread < half)
            {
                shared[thread] += shared[thread + half];
            }

            Group.Barrier();
        }

        if (thread == 0)
        {
            partials[Grid.IdxX] = shared[0];
        }
    }
}
