using System.Runtime.InteropServices;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Inference.Runtime;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// Probes the device plans are made for: which execution providers load (TensorRT → CUDA → CPU, by appending each to
/// a session's options), whether this is a Jetson (the device tree's model, or L4T's release file), the CPU's model
/// and instruction sets (<see cref="CpuFacts"/>), cores and memory. Loads ONNX Runtime's native library.
/// </summary>
public static class DeviceProbe
{
    private static readonly Lazy<DeviceProfile> Machine = new(() => Probe());

    /// <summary>This machine's profile, probed once per process.</summary>
    public static DeviceProfile Current => Machine.Value;

    /// <summary>Probes now (<paramref name="root"/> replaces "/" for the files read; tests point it at a fake tree).</summary>
    public static DeviceProfile Probe(string root = "/")
    {
        var providers = ExecutionProviderProbe.Probe().Select(r => new ProviderAvailability(r.Provider, r.Available, r.Reason)).ToList();
        var cpu = ReadCpu(Path.Combine(root, "proc/cpuinfo"));
        return DeviceProfile.Create(
            RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            cpu,
            Environment.ProcessorCount,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            JetsonModel(Read(Path.Combine(root, "proc/device-tree/model")), File.Exists(Path.Combine(root, "etc/nv_tegra_release"))),
            providers);
    }

    /// <summary>
    /// The Jetson's model from the device tree's model string (NUL-terminated, e.g. "NVIDIA Jetson Orin Nano Developer
    /// Kit"), or "Jetson (L4T)" when only L4T's release file says so; null elsewhere.
    /// </summary>
    public static string? JetsonModel(string? deviceTreeModel, bool hasTegraRelease)
    {
        var model = deviceTreeModel?.TrimEnd('\0', '\n', ' ');
        if (!string.IsNullOrEmpty(model) && model.Contains("Jetson", StringComparison.OrdinalIgnoreCase))
        {
            return model;
        }

        return hasTegraRelease ? "Jetson (L4T)" : null;
    }

    private static CpuFacts ReadCpu(string path) => Read(path) is { } text ? CpuFacts.Parse(text) : new CpuFacts("unknown", []);

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
