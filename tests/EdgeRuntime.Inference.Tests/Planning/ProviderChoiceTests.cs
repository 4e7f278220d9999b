using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Inference.Planning;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>Asking for a provider that does not load falls back to the best that does, with one line that says so.</summary>
public sealed class ProviderChoiceTests
{
    private static DeviceProfile Device(bool cuda) => DeviceProfile.Create(
        "x64",
        new CpuFacts("AMD EPYC", ["avx2"]),
        2,
        1L << 30,
        null,
        [
            new(ExecutionProvider.TensorRt, false, "this ONNX Runtime build has no TensorrtExecutionProvider"),
            new(ExecutionProvider.Cuda, cuda, cuda ? null : "this ONNX Runtime build has no CUDAExecutionProvider"),
            new(ExecutionProvider.Cpu, true, null),
        ]);

    [Fact]
    public void Resolve_CudaAskedWithoutCuda_CpuWithOneLineNamingRequestAndReason()
    {
        var choice = ProviderChoice.Resolve(ExecutionProvider.Cuda, Device(cuda: false));

        Assert.Equal(ExecutionProvider.Cpu, choice.Provider);
        Assert.Equal("Cuda was asked for but is not available here (this ONNX Runtime build has no CUDAExecutionProvider); models run on Cpu", choice.Fallback);
    }

    [Fact]
    public void Resolve_TensorRtAskedWithCuda_CudaWithLine()
    {
        var choice = ProviderChoice.Resolve(ExecutionProvider.TensorRt, Device(cuda: true));

        Assert.Equal(ExecutionProvider.Cuda, choice.Provider);
        Assert.StartsWith("TensorRt was asked for but is not available here", choice.Fallback, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false, ExecutionProvider.Cpu)]
    [InlineData(null, true, ExecutionProvider.Cuda)]
    [InlineData(ExecutionProvider.Cuda, true, ExecutionProvider.Cuda)]
    [InlineData(ExecutionProvider.Cpu, true, ExecutionProvider.Cpu)]
    public void Resolve_AvailableOrAuto_NoFallbackLine(ExecutionProvider? requested, bool cuda, ExecutionProvider expected)
    {
        var choice = ProviderChoice.Resolve(requested, Device(cuda));

        Assert.Equal(expected, choice.Provider);
        Assert.Null(choice.Fallback);
    }
}
