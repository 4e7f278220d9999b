using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Kernels.Configuration;
using EdgeRuntime.Kernels.Vision;

namespace EdgeRuntime.Kernels.Tests.Vision;

public sealed class FramePreprocessorSelectionTests
{
    private static readonly AcceleratorPlan Cuda = new(true, null);
    private static readonly AcceleratorPlan NoCuda = new(false, "no CUDA driver (libcuda.so.1 not found)");

    [Theory]
    [InlineData(FramePreprocessingMode.Auto, AcceleratorKind.Cuda, true)]
    [InlineData(FramePreprocessingMode.Auto, AcceleratorKind.Cpu, false)]
    [InlineData(FramePreprocessingMode.Auto, null, false)]
    [InlineData(FramePreprocessingMode.Kernel, AcceleratorKind.Cpu, true)]
    [InlineData(FramePreprocessingMode.CSharp, AcceleratorKind.Cuda, false)]
    public void UseKernel_ModeAndAccelerator_KernelOnlyOnCudaUnderAuto(FramePreprocessingMode mode, AcceleratorKind? accelerator, bool kernel) =>
        Assert.Equal(kernel, FramePreprocessorSelection.UseKernel(mode, accelerator));

    [Fact]
    public void NeedsAccelerator_AutoWithoutCuda_NoIlgpuContextStarted()
    {
        Assert.False(FramePreprocessorSelection.NeedsAccelerator(FramePreprocessingMode.Auto, NoCuda));
        Assert.True(FramePreprocessorSelection.NeedsAccelerator(FramePreprocessingMode.Auto, Cuda));
        Assert.False(FramePreprocessorSelection.NeedsAccelerator(FramePreprocessingMode.CSharp, Cuda));
        Assert.True(FramePreprocessorSelection.NeedsAccelerator(FramePreprocessingMode.Kernel, NoCuda));
    }

    [Fact]
    public void Reason_AutoOnCpu_SaysWhyTheCSharpPath() =>
        Assert.Equal(
            "Auto: no CUDA accelerator, and on the CPU accelerator the kernel is slower than the C# path",
            FramePreprocessorSelection.Reason(FramePreprocessingMode.Auto, AcceleratorKind.Cpu));
}
