namespace EdgeRuntime.Kernels.Tests.Backends;

/// <summary>Element-wise comparison with a kernel's C# reference, reporting the first difference.</summary>
public static class Compare
{
    /// <summary>
    /// Equal bit for bit on a <see cref="KernelBackend.BitExact"/> backend; otherwise within
    /// |actual − expected| ≤ <paramref name="absolute"/> + <paramref name="relative"/>·|expected|.
    /// </summary>
    public static void Floats(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, KernelBackend backend, string what, double absolute = 1e-6, double relative = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Within(expected, actual, backend.BitExact ? 0 : absolute, backend.BitExact ? 0 : relative, what);
    }

    /// <summary>Within |actual − expected| ≤ <paramref name="absolute"/> + <paramref name="relative"/>·|expected| (0 and 0: identical bits).</summary>
    public static void Within(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double absolute, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var same = absolute == 0 && relative == 0
                ? BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i])
                : Math.Abs((double)actual[i] - expected[i]) <= absolute + (relative * Math.Abs(expected[i]));
            if (!same)
            {
                Assert.Fail($"{what}: element {i} of {expected.Length} is {actual[i]:R}, expected {expected[i]:R} (difference {actual[i] - expected[i]:R})");
            }
        }
    }

    /// <summary>The largest |actual − expected|.</summary>
    public static double MaxDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i]));
        }

        return worst;
    }
}
