namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>The outcome of asking the CUDA driver what it has.</summary>
/// <param name="Availability">The verdict.</param>
/// <param name="DeviceCount">Devices the driver lists (0 unless <see cref="CudaAvailability.Available"/>).</param>
/// <param name="Detail">The evidence, in a few words: the library tried, the driver's error name, the driver version.</param>
public sealed record CudaProbeResult(CudaAvailability Availability, int DeviceCount, string Detail);
