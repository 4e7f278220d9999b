using EdgeRuntime.Kernels.Tests.Backends;
using EdgeRuntime.Kernels.Tests.Reference;

namespace EdgeRuntime.Kernels.Tests.Vectors;

/// <summary>
/// Every vector kernel against its plain C# loop (<see cref="ReferenceMath"/>) at sizes from 0 to 10⁶ + 3.
/// Tolerances: element-wise results bit-identical on the CPU accelerator, within 10⁻⁶ + 10⁻⁵·|x| on a GPU;
/// reductions (float64, another summation order than the sequential reference) within 10⁻¹² relative.
/// </summary>
public abstract class VectorKernelsContract(KernelBackend backend)
{
    private const double ReductionTolerance = 1e-12;

    [Theory]
    [MemberData(nameof(RandomData.Sizes), MemberType = typeof(RandomData))]
    public void Axpy_RandomVectors_MatchesLoop(int n)
    {
        var kernels = backend.Kernels;
        float[] x = RandomData.Floats(n, 1), y = RandomData.Floats(n, 2, 10);
        using var dx = kernels.Upload(x);
        using var dy = kernels.Upload(y);
        kernels.Vectors.Axpy(-0.37f, dx, dy);
        ReferenceMath.Axpy(-0.37f, x, y);
        Compare.Floats(y, dy.ToArray(), backend, "axpy");
    }

    [Theory]
    [MemberData(nameof(RandomData.Sizes), MemberType = typeof(RandomData))]
    public void Scale_RandomVector_MatchesLoop(int n)
    {
        var kernels = backend.Kernels;
        var x = RandomData.Floats(n, 3, 5);
        using var dx = kernels.Upload(x);
        kernels.Vectors.Scale(1.7f, dx);
        ReferenceMath.Scale(1.7f, x);
        Compare.Floats(x, dx.ToArray(), backend, "scale");
    }

    [Theory]
    [MemberData(nameof(RandomData.Sizes), MemberType = typeof(RandomData))]
    public void Difference_RandomVectors_MatchesLoop(int n)
    {
        var kernels = backend.Kernels;
        float[] a = RandomData.Floats(n, 4), b = RandomData.Floats(n, 5), expected = new float[n];
        using var da = kernels.Upload(a);
        using var db = kernels.Upload(b);
        using var output = kernels.Allocate(n);
        kernels.Vectors.Difference(da, db, output);
        ReferenceMath.Difference(a, b, expected);
        Compare.Floats(expected, output.ToArray(), backend, "difference");
    }

    [Theory]
    [MemberData(nameof(RandomData.Sizes), MemberType = typeof(RandomData))]
    public void ScaledSum_FourWeightedVectors_MatchesFloat64Loop(int n)
    {
        var kernels = backend.Kernels;
        float[] weights = [0.5f, -1.25f, 3f, 1e-3f];
        var vectors = Enumerable.Range(0, weights.Length).Select(k => RandomData.Floats(n, 10 + k, MathF.Pow(10, k))).ToList();
        var device = vectors.Select(v => kernels.Upload(v)).ToList();
        using var output = kernels.Allocate(n);
        try
        {
            kernels.Vectors.ScaledSum(weights, device, output);
        }
        finally
        {
            device.ForEach(d => d.Dispose());
        }

        Compare.Floats(ReferenceMath.ScaledSum(weights, vectors), output.ToArray(), backend, "scaled sum");
    }

    [Theory]
    [MemberData(nameof(RandomData.Sizes), MemberType = typeof(RandomData))]
    public void Dot_RandomVectors_MatchesFloat64Loop(int n)
    {
        var kernels = backend.Kernels;
        float[] x = RandomData.Floats(n, 6), y = RandomData.Floats(n, 7);
        using var dx = kernels.Upload(x);
        using var dy = kernels.Upload(y);
        var expected = ReferenceMath.Dot(x, y);
        Assert.Equal(expected, kernels.Vectors.Dot(dx, dy), ReductionTolerance * Math.Max(1, Math.Abs(expected)) * 10);
    }

    [Theory]
    [MemberData(nameof(RandomData.Sizes), MemberType = typeof(RandomData))]
    public void L2Norm_RandomVector_MatchesFloat64Loop(int n)
    {
        var kernels = backend.Kernels;
        var x = RandomData.Floats(n, 8, 100);
        using var dx = kernels.Upload(x);
        var expected = ReferenceMath.L2Norm(x);
        Assert.Equal(expected, kernels.Vectors.L2Norm(dx), ReductionTolerance * Math.Max(1, expected));
    }

    [Fact]
    public void L2Norm_FourMillionEqualValues_ExactWhereAFloat32SumIsNot()
    {
        // √(n·0.1²) in closed form. A float32 running sum of the squares stalls once the sum dwarfs each term:
        // here it is off by about 2 %, which is why the kernel accumulates in float64 (within 10⁻¹⁰ here: 4·10⁶
        // float64 additions).
        const int n = 4_000_037;
        var kernels = backend.Kernels;
        var x = new float[n];
        Array.Fill(x, 0.1f);
        using var dx = kernels.Upload(x);
        var exact = Math.Sqrt(n) * 0.1f;
        var float32 = 0f;
        foreach (var value in x)
        {
            float32 += value * value;
        }

        Assert.True(Math.Abs(MathF.Sqrt(float32) - exact) / exact > 1e-3, "a float32 sum should visibly drift here");
        Assert.Equal(exact, kernels.Vectors.L2Norm(dx), exact * 1e-10);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1e9)]
    public void ClipByGlobalNorm_ThreeVectors_MatchesReferenceAndReturnsNormBefore(double maxNorm)
    {
        var kernels = backend.Kernels;
        var vectors = new[] { RandomData.Floats(1000, 20), RandomData.Floats(1, 21), RandomData.Floats(4097, 22, 3) };
        var device = vectors.Select(v => kernels.Upload(v)).ToList();
        try
        {
            var norm = kernels.Vectors.ClipByGlobalNorm(device, maxNorm);
            var expectedNorm = ReferenceMath.ClipByGlobalNorm(vectors, maxNorm);
            Assert.Equal(expectedNorm, norm, expectedNorm * ReductionTolerance);
            for (var k = 0; k < vectors.Length; k++)
            {
                // The scale factor comes from float64 norms summed in different orders: allow an ulp of it.
                Compare.Within(vectors[k], device[k].ToArray(), 0, backend.BitExact ? 2e-7 : 1e-5, $"clipped vector {k}");
            }

            var after = Math.Sqrt(device.Sum(d => kernels.Vectors.Dot(d, d)));
            Assert.True(after <= maxNorm * (1 + 1e-6), $"norm after clipping {after} > {maxNorm}");
        }
        finally
        {
            device.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public void ClipByGlobalNorm_InfiniteNorm_ReturnedAndNothingScaled()
    {
        var kernels = backend.Kernels;
        float[] values = [1f, float.PositiveInfinity, 2f];
        using var x = kernels.Upload(values);
        Assert.Equal(double.PositiveInfinity, kernels.Vectors.ClipByGlobalNorm([x], 1));
        Assert.Equal(values, x.ToArray());
    }

    [Fact]
    public void Axpy_LengthsDiffer_OneLineNamingTheOperation()
    {
        var kernels = backend.Kernels;
        using var x = kernels.Allocate(3);
        using var y = kernels.Allocate(4);
        var error = Assert.Throws<ArgumentException>(() => kernels.Vectors.Axpy(1, x, y));
        Assert.Equal("axpy: vectors of 3 and 4 elements", error.Message);
    }

    [Fact]
    public void ScaledSum_WeightsAndVectorsDiffer_Refused()
    {
        var kernels = backend.Kernels;
        using var x = kernels.Allocate(3);
        var error = Assert.Throws<ArgumentException>(() => kernels.Vectors.ScaledSum([1f, 2f], [x], x));
        Assert.Equal("scaled sum: 2 weights for 1 vectors (need one each, at least one)", error.Message);
    }
}

[Collection(nameof(CpuBackend))]
public sealed class VectorKernelsTests(CpuBackend backend) : VectorKernelsContract(backend);

[Collection(nameof(CudaBackend))]
[Trait("requires", "gpu")]
public sealed class VectorKernelsCudaTests(CudaBackend backend) : VectorKernelsContract(backend);
