namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>What the CUDA probe found.</summary>
public enum CudaAvailability
{
    /// <summary>The driver initialised and lists at least one device.</summary>
    Available,

    /// <summary>No CUDA driver library (libcuda.so.1) could be loaded: not an NVIDIA machine, or the driver is not installed.</summary>
    NoDriver,

    /// <summary>The driver loaded but reports no device (none installed, or hidden by CUDA_VISIBLE_DEVICES).</summary>
    NoDevice,

    /// <summary>The driver loaded but cuInit failed (driver/kernel-module mismatch, insufficient driver, …).</summary>
    InitFailed,
}
