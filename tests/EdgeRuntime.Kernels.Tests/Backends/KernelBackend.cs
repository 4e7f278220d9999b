using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Accelerators;

namespace EdgeRuntime.Kernels.Tests.Backends;

/// <summary>
/// An accelerator the kernel tests run against, shared by a test collection (kernels compile once). Each contract
/// test class is written once and runs on the CPU accelerator always and on CUDA where a GPU exists.
/// </summary>
public abstract class KernelBackend : IDisposable
{
    private readonly KernelAccelerator? _kernels;
    private readonly string? _unavailable;

    protected KernelBackend(KernelPreference preference, AcceleratorKind wanted)
    {
        var kernels = KernelAccelerator.Create(preference);
        if (kernels.Kind == wanted)
        {
            _kernels = kernels;
        }
        else
        {
            _unavailable = $"no {wanted} accelerator here: {kernels.FallbackReason}";
            kernels.Dispose();
        }
    }

    /// <summary>
    /// True where kernels run as .NET code (the CPU accelerator): float32 arithmetic in the same order as the C#
    /// reference gives the same bits, so comparisons are exact. A GPU compiler may fuse a·b + c into one rounding
    /// (FMA) and uses its own exp, so there results agree to a few float32 roundings instead.
    /// </summary>
    public abstract bool BitExact { get; }

    /// <summary>The accelerator; skips the test (fails it where a GPU is required) when it is not here.</summary>
    public KernelAccelerator Kernels
    {
        get
        {
            if (_kernels is null)
            {
                if (string.Equals(Environment.GetEnvironmentVariable("EDGE_REQUIRE_GPU"), "1", StringComparison.Ordinal))
                {
                    Assert.Fail($"{_unavailable} (EDGE_REQUIRE_GPU=1)");
                }

                Assert.Skip(_unavailable!);
            }

            return _kernels;
        }
    }

    public void Dispose()
    {
        _kernels?.Dispose();
        GC.SuppressFinalize(this);
    }
}
