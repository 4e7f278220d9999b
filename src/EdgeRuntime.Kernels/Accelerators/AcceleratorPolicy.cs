using EdgeRuntime.Core.Compute;

namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>
/// The accelerator rule, a pure function: CUDA when it is wanted (Auto or Cuda) and the probe found a device,
/// otherwise ILGPU's CPU accelerator with a one-line reason. Asking for the CPU never probes.
/// </summary>
public static class AcceleratorPolicy
{
    /// <summary>Whether the preference needs the CUDA probe at all.</summary>
    public static bool NeedsProbe(KernelPreference preference) => preference != KernelPreference.Cpu;

    /// <summary>The plan for <paramref name="preference"/> given what the probe found (null when it was not run).</summary>
    public static AcceleratorPlan Decide(KernelPreference preference, CudaProbeResult? probe)
    {
        if (preference == KernelPreference.Cpu)
        {
            return new AcceleratorPlan(false, null);
        }

        ArgumentNullException.ThrowIfNull(probe);
        return probe.Availability switch
        {
            CudaAvailability.Available => new AcceleratorPlan(true, null),
            CudaAvailability.NoDriver => new AcceleratorPlan(false, $"no CUDA driver ({probe.Detail})"),
            CudaAvailability.NoDevice => new AcceleratorPlan(false, $"no CUDA device ({probe.Detail})"),
            _ => new AcceleratorPlan(false, $"CUDA driver failed to initialise ({probe.Detail})"),
        };
    }

    /// <summary>The reason when the planned CUDA accelerator could not be created.</summary>
    public static string StartFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"CUDA accelerator failed to start ({error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")})";
    }
}
