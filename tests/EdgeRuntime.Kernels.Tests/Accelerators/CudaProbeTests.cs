using System.Runtime.InteropServices;
using EdgeRuntime.Kernels.Accelerators;

namespace EdgeRuntime.Kernels.Tests.Accelerators;

public sealed class CudaProbeTests
{
    [Fact]
    public void Probe_ThisMachine_AgreesWithWhetherTheDriverLibraryLoads()
    {
        var result = CudaProbe.Probe();
        var driverPresent = NativeLibrary.TryLoad("libcuda.so.1", out _) || NativeLibrary.TryLoad("libcuda.so", out _);
        if (driverPresent)
        {
            Assert.NotEqual(CudaAvailability.NoDriver, result.Availability);
            Assert.Equal(result.Availability == CudaAvailability.Available, result.DeviceCount > 0);
        }
        else
        {
            Assert.Equal(new CudaProbeResult(CudaAvailability.NoDriver, 0, "libcuda.so.1 not found"), result);
        }
    }
}
