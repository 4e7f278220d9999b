using System.Runtime.InteropServices;

namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>
/// Asks the CUDA driver API directly whether CUDA can be used: loads the driver library, calls <c>cuInit</c> and
/// <c>cuDeviceGetCount</c>. ILGPU's own device enumeration swallows these errors (it only ever lists no devices),
/// so this probe is what tells "no driver" from "no device" from "driver failed to initialise".
/// </summary>
public static class CudaProbe
{
    // CUresult values from cuda.h that get their own verdict.
    private const int CudaSuccess = 0;
    private const int CudaErrorNoDevice = 100;

    /// <summary>Probes this machine (cheap: a library load and two driver calls). Never throws.</summary>
    public static CudaProbeResult Probe()
    {
        var library = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
        if (!NativeLibrary.TryLoad(library, out var handle)
            && (OperatingSystem.IsWindows() || !NativeLibrary.TryLoad("libcuda.so", out handle)))
        {
            return new CudaProbeResult(CudaAvailability.NoDriver, 0, $"{library} not found");
        }

        // The library stays loaded: ILGPU loads it again by name when it creates the accelerator.
        try
        {
            return Query(handle, library);
        }
        catch (EntryPointNotFoundException ex)
        {
            return new CudaProbeResult(CudaAvailability.InitFailed, 0, $"{library} lacks a driver entry point: {ex.Message}");
        }
    }

    private static unsafe CudaProbeResult Query(IntPtr handle, string library)
    {
        var cuInit = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(handle, "cuInit");
        var cuDeviceGetCount = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(handle, "cuDeviceGetCount");
        var version = DriverVersion(handle);
        var init = cuInit(0);
        if (init == CudaErrorNoDevice)
        {
            return new CudaProbeResult(CudaAvailability.NoDevice, 0, $"cuInit: {ErrorName(handle, init)}{version}");
        }

        if (init != CudaSuccess)
        {
            return new CudaProbeResult(CudaAvailability.InitFailed, 0, $"cuInit: {ErrorName(handle, init)}{version}");
        }

        int count;
        var counted = cuDeviceGetCount(&count);
        if (counted != CudaSuccess)
        {
            return new CudaProbeResult(CudaAvailability.InitFailed, 0, $"cuDeviceGetCount: {ErrorName(handle, counted)}{version}");
        }

        return count > 0
            ? new CudaProbeResult(CudaAvailability.Available, count, $"{count} device(s) via {library}{version}")
            : new CudaProbeResult(CudaAvailability.NoDevice, 0, $"the driver lists 0 devices{version}");
    }

    private static unsafe string DriverVersion(IntPtr handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "cuDriverGetVersion", out var address))
        {
            return string.Empty;
        }

        int value;
        var result = ((delegate* unmanaged<int*, int>)address)(&value);
        return result == CudaSuccess ? $", driver API {value / 1000}.{value % 1000 / 10}" : string.Empty;
    }

    private static unsafe string ErrorName(IntPtr handle, int error)
    {
        if (NativeLibrary.TryGetExport(handle, "cuGetErrorName", out var address))
        {
            byte* name;
            if (((delegate* unmanaged<int, byte**, int>)address)(error, &name) == CudaSuccess && name is not null)
            {
                return $"{Marshal.PtrToStringAnsi((IntPtr)name)} ({error})";
            }
        }

        return $"CUresult {error}";
    }
}
