using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Accelerators;

namespace EdgeRuntime.Kernels.Tests.Accelerators;

public sealed class AcceleratorPolicyTests
{
    private static readonly CudaProbeResult Gpu = new(CudaAvailability.Available, 1, "1 device(s) via libcuda.so.1");

    [Theory]
    [InlineData(KernelPreference.Auto)]
    [InlineData(KernelPreference.Cuda)]
    public void Decide_CudaWantedAndAvailable_TriesCuda(KernelPreference preference) =>
        Assert.Equal(new AcceleratorPlan(true, null), AcceleratorPolicy.Decide(preference, Gpu));

    [Fact]
    public void Decide_CpuAsked_NeverProbesAndNeedsNoReason()
    {
        Assert.False(AcceleratorPolicy.NeedsProbe(KernelPreference.Cpu));
        Assert.Equal(new AcceleratorPlan(false, null), AcceleratorPolicy.Decide(KernelPreference.Cpu, null));
        Assert.Equal(new AcceleratorPlan(false, null), AcceleratorPolicy.Decide(KernelPreference.Cpu, Gpu));
    }

    [Theory]
    [InlineData(CudaAvailability.NoDriver, "libcuda.so.1 not found", "no CUDA driver (libcuda.so.1 not found)")]
    [InlineData(CudaAvailability.NoDevice, "cuInit: CUDA_ERROR_NO_DEVICE (100)", "no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE (100))")]
    [InlineData(CudaAvailability.InitFailed, "cuInit: CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803)", "CUDA driver failed to initialise (cuInit: CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803))")]
    public void Decide_CudaUnusable_FallsBackToCpuWithOneLineReason(CudaAvailability availability, string detail, string reason)
    {
        foreach (var preference in new[] { KernelPreference.Auto, KernelPreference.Cuda })
        {
            var plan = AcceleratorPolicy.Decide(preference, new CudaProbeResult(availability, 0, detail));
            Assert.False(plan.TryCuda);
            Assert.Equal(reason, plan.FallbackReason);
            Assert.DoesNotContain('\n', plan.FallbackReason!);
        }
    }

    [Fact]
    public void StartFailure_MultiLineError_OneLineNamingTheError()
    {
        var reason = AcceleratorPolicy.StartFailure(new NotSupportedException("PTX ISA 8.5\nnot supported"));
        Assert.Equal("CUDA accelerator failed to start (NotSupportedException: PTX ISA 8.5 not supported)", reason);
    }
}
