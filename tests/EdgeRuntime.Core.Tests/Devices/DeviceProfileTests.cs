using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Planning;

namespace EdgeRuntime.Core.Tests.Devices;

/// <summary>The device fingerprint moves with what decides the fastest plan, and only with that; the int8 flags follow the ISA.</summary>
public sealed class DeviceProfileTests
{
    private const string Vnni = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni\n";
    private const string Avx2Only = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse4_2 avx avx2 fma\n";

    private static readonly ProviderAvailability[] CpuOnly =
    [
        new(ExecutionProvider.TensorRt, false, "no TensorrtExecutionProvider"),
        new(ExecutionProvider.Cuda, false, "no CUDAExecutionProvider"),
        new(ExecutionProvider.Cpu, true, null),
    ];

    [Fact]
    public void Create_SameFactsOtherMemory_SameFingerprint()
    {
        var a = DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 2, 8L << 30, null, CpuOnly);
        var b = DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 2, 24L << 30, null, CpuOnly);

        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.Matches("^x64-[0-9a-f]{12}$", a.Fingerprint);
    }

    [Fact]
    public void Create_OtherInstructionSetsCoresOrProviders_OtherFingerprint()
    {
        var baseline = DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 2, 8L << 30, null, CpuOnly).Fingerprint;
        ProviderAvailability[] withCuda = [CpuOnly[0], new(ExecutionProvider.Cuda, true, null), CpuOnly[2]];

        Assert.NotEqual(baseline, DeviceProfile.Create("x64", CpuFacts.Parse(Avx2Only), 2, 8L << 30, null, CpuOnly).Fingerprint);
        Assert.NotEqual(baseline, DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 4, 8L << 30, null, CpuOnly).Fingerprint);
        Assert.NotEqual(baseline, DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 2, 8L << 30, null, withCuda).Fingerprint);
    }

    [Fact]
    public void Int8NeedsReducedRange_Avx2WithoutVnni_TrueWithVnniFalse()
    {
        var avx2 = DeviceProfile.Create("x64", CpuFacts.Parse(Avx2Only), 2, 1L << 30, null, CpuOnly);
        var vnni = DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 2, 1L << 30, null, CpuOnly);

        Assert.True(avx2.Int8NeedsReducedRange);
        Assert.False(avx2.HasInt8DotProduct);
        Assert.False(vnni.Int8NeedsReducedRange);
        Assert.True(vnni.HasInt8DotProduct);
    }

    [Fact]
    public void BestProvider_CudaLoads_CudaElseCpu()
    {
        ProviderAvailability[] withCuda = [CpuOnly[0], new(ExecutionProvider.Cuda, true, null), CpuOnly[2]];

        Assert.Equal(ExecutionProvider.Cpu, DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 2, 1, null, CpuOnly).BestProvider);
        Assert.Equal(ExecutionProvider.Cuda, DeviceProfile.Create("x64", CpuFacts.Parse(Vnni), 2, 1, null, withCuda).BestProvider);
    }
}
