using System.Runtime.InteropServices;

namespace EdgeRuntime.Core.Devices;

/// <summary>What the fleet needs to know about the machine a daemon runs on.</summary>
/// <param name="HostName">The machine's host name.</param>
/// <param name="OperatingSystem">The OS description, e.g. "Debian GNU/Linux 12 (bookworm)".</param>
/// <param name="Architecture">The process architecture: x64, arm64, …</param>
/// <param name="ProcessorCount">Logical processors available to the daemon.</param>
/// <param name="TotalMemoryBytes">Memory available to the process (cgroup limit or physical memory).</param>
/// <param name="DotnetVersion">The .NET runtime version.</param>
public sealed record HostFacts(
    string HostName,
    string OperatingSystem,
    string Architecture,
    int ProcessorCount,
    long TotalMemoryBytes,
    string DotnetVersion)
{
    /// <summary>Reads the facts of the current process's machine.</summary>
    public static HostFacts Current() => new(
        Environment.MachineName,
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        Environment.Version.ToString());
}
