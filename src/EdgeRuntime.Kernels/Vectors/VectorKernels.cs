using EdgeRuntime.Kernels.Accelerators;
using ILGPU;
using ILGPU.Runtime;

namespace EdgeRuntime.Kernels.Vectors;

/// <summary>
/// Vector maths on the accelerator for the trainer and federated updates: axpy, scale, scaled sums, dot products,
/// L2 norms, clipping by global norm and differences. Reached through <see cref="KernelAccelerator.Vectors"/>;
/// compiled once per accelerator. Every vector must live on that accelerator and lengths must agree.
/// </summary>
/// <remarks>
/// Reductions (dot, norm) accumulate in float64: per thread over its strided elements, then pairwise within a group,
/// then over the groups' partial sums on the host in a fixed order — deterministic for a given accelerator, with a
/// rounding error far below float32's (a plain float32 running sum of 10⁶ squares loses about 3 digits).
/// Scaled sums accumulate in float64 too and round to float32 once.
/// </remarks>
public sealed class VectorKernels : IDisposable
{
    private readonly KernelAccelerator _kernels;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, float, int> _axpy;
    private readonly Action<KernelConfig, ArrayView<float>, float, int> _scale;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _difference;
    private readonly Action<KernelConfig, ArrayView<double>, ArrayView<float>, double, int, int> _accumulateScaled;
    private readonly Action<KernelConfig, ArrayView<double>, ArrayView<float>, int> _narrow;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>, int> _sumOfProducts;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<double>, int> _sumOfSquares;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly double[] _hostPartials;
    private MemoryBuffer1D<double, Stride1D.Dense>? _sumScratch;

    private VectorKernels(KernelAccelerator kernels)
    {
        _kernels = kernels;
        var accelerator = kernels.Accelerator;
        _axpy = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, float, int>(VectorKernelBodies.Axpy);
        _scale = accelerator.LoadStreamKernel<ArrayView<float>, float, int>(VectorKernelBodies.Scale);
        _difference = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(VectorKernelBodies.Difference);
        _accumulateScaled = accelerator.LoadStreamKernel<ArrayView<double>, ArrayView<float>, double, int, int>(VectorKernelBodies.AccumulateScaled);
        _narrow = accelerator.LoadStreamKernel<ArrayView<double>, ArrayView<float>, int>(VectorKernelBodies.Narrow);
        _sumOfProducts = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>, int>(VectorKernelBodies.SumOfProducts);
        _sumOfSquares = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<double>, int>(VectorKernelBodies.SumOfSquares);
        _partials = accelerator.Allocate1D<double>(kernels.MaxGroups);
        _hostPartials = new double[kernels.MaxGroups];
    }

    internal static VectorKernels Load(KernelAccelerator kernels) => new(kernels);

    /// <summary>y ← a·x + y (BLAS saxpy).</summary>
    public void Axpy(float a, DeviceVector x, DeviceVector y)
    {
        Same("axpy", x, y);
        using var scope = _kernels.Enter();
        Axpy(a, x.View, y.View);
    }

    /// <summary>x ← a·x.</summary>
    public void Scale(float a, DeviceVector x)
    {
        Same("scale", x);
        using var scope = _kernels.Enter();
        Scale(a, x.View);
    }

    /// <summary>output ← a − b (a federated delta: trained minus received parameters).</summary>
    public void Difference(DeviceVector a, DeviceVector b, DeviceVector output)
    {
        Same("difference", a, b, output);
        using var scope = _kernels.Enter();
        if (a.Length > 0)
        {
            _difference(_kernels.Launch(a.Length), a.View, b.View, output.View, a.Length);
        }
    }

    /// <summary>output ← Σₖ weights[k]·vectors[k], accumulated in float64 in the order given and rounded once.</summary>
    /// <exception cref="ArgumentException">No vectors, or weights and vectors of different counts.</exception>
    public void ScaledSum(ReadOnlySpan<float> weights, IReadOnlyList<DeviceVector> vectors, DeviceVector output)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count == 0 || weights.Length != vectors.Count)
        {
            throw new ArgumentException($"scaled sum: {weights.Length} weights for {vectors.Count} vectors (need one each, at least one)");
        }

        Same("scaled sum", [.. vectors, output]);
        var n = output.Length;
        using var scope = _kernels.Enter();
        if (n == 0)
        {
            return;
        }

        if (_sumScratch is null || _sumScratch.Length < n)
        {
            _sumScratch?.Dispose();
            _sumScratch = _kernels.Accelerator.Allocate1D<double>(n);
        }

        var sum = _sumScratch.AsContiguous().SubView(0, n);
        var launch = _kernels.Launch(n);
        for (var k = 0; k < vectors.Count; k++)
        {
            _accumulateScaled(launch, sum, vectors[k].View, weights[k], k == 0 ? 1 : 0, n);
        }

        _narrow(launch, sum, output.View, n);
        _kernels.Accelerator.Synchronize();
    }

    /// <summary>Σ x·y, accumulated in float64.</summary>
    public double Dot(DeviceVector x, DeviceVector y)
    {
        Same("dot", x, y);
        using var scope = _kernels.Enter();
        if (x.Length == 0)
        {
            return 0;
        }

        var launch = _kernels.Launch(x.Length);
        _sumOfProducts(launch, x.View, y.View, _partials.View, x.Length);
        return AddPartials(launch.GridDim.X);
    }

    /// <summary>‖x‖₂ = √(Σ x²), accumulated in float64.</summary>
    public double L2Norm(DeviceVector x)
    {
        Same("L2 norm", x);
        using var scope = _kernels.Enter();
        return Math.Sqrt(SumOfSquares(x.View));
    }

    /// <summary>
    /// Clipping by global norm (TensorFlow's clip_by_global_norm; Pascanu et al. 2013): with
    /// g = √(Σₖ ‖vₖ‖²), every vector is scaled by maxNorm / max(g, maxNorm), so the joint norm is at most
    /// <paramref name="maxNorm"/> and the direction is kept. Returns g before clipping. A NaN or infinite g is
    /// returned as it is and nothing is scaled (the caller should skip that step).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive and finite.</exception>
    public double ClipByGlobalNorm(IReadOnlyList<DeviceVector> vectors, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (!(maxNorm > 0) || !double.IsFinite(maxNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "clip by global norm: the largest norm must be positive and finite");
        }

        Owned("clip by global norm", vectors);
        using var scope = _kernels.Enter();
        var squares = 0.0;
        foreach (var vector in vectors)
        {
            squares += SumOfSquares(vector.View);
        }

        var norm = Math.Sqrt(squares);
        var factor = ClipFactor(norm, maxNorm);
        if (factor is { } scale)
        {
            foreach (var vector in vectors)
            {
                Scale(scale, vector.View);
            }

            _kernels.Accelerator.Synchronize();
        }

        return norm;
    }

    /// <summary>The factor that clips <paramref name="norm"/> to <paramref name="maxNorm"/>, or null when none applies (within the bound, or not finite).</summary>
    internal static float? ClipFactor(double norm, double maxNorm) =>
        double.IsFinite(norm) && norm > maxNorm ? (float)(maxNorm / norm) : null;

    /// <summary>Σ x² of a view, float64 (caller holds the accelerator).</summary>
    internal double SumOfSquares(ArrayView<float> x)
    {
        if (x.Length == 0)
        {
            return 0;
        }

        var launch = _kernels.Launch(x.Length);
        _sumOfSquares(launch, x, _partials.View, (int)x.Length);
        return AddPartials(launch.GridDim.X);
    }

    /// <summary>x ← a·x on a view (caller holds the accelerator).</summary>
    internal void Scale(float a, ArrayView<float> x)
    {
        if (x.Length > 0)
        {
            _scale(_kernels.Launch(x.Length), x, a, (int)x.Length);
        }
    }

    /// <summary>y ← a·x + y on views (caller holds the accelerator).</summary>
    internal void Axpy(float a, ArrayView<float> x, ArrayView<float> y)
    {
        if (x.Length > 0)
        {
            _axpy(_kernels.Launch(x.Length), x, y, a, (int)x.Length);
        }
    }

    /// <summary>Frees the reduction buffers.</summary>
    public void Dispose()
    {
        _partials.Dispose();
        _sumScratch?.Dispose();
    }

    private double AddPartials(int groups)
    {
        // Copying to the CPU waits for the kernel.
        var partials = _hostPartials.AsSpan(0, groups);
        HostCopies.CopyTo(_kernels, _partials, 0, partials);
        var sum = 0.0;
        foreach (var partial in partials)
        {
            sum += partial;
        }

        return sum;
    }

    private void Owned(string operation, IEnumerable<DeviceVector> vectors)
    {
        foreach (var vector in vectors)
        {
            ArgumentNullException.ThrowIfNull(vector);
            if (!ReferenceEquals(vector.Owner, _kernels))
            {
                throw new ArgumentException($"{operation}: a vector lives on another accelerator");
            }
        }
    }

    private void Same(string operation, params ReadOnlySpan<DeviceVector> vectors)
    {
        foreach (var vector in vectors)
        {
            Owned(operation, [vector]);
            if (vector.Length != vectors[0].Length)
            {
                throw new ArgumentException($"{operation}: vectors of {vectors[0].Length} and {vector.Length} elements");
            }
        }
    }
}
