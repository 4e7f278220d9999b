using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Benchmarks;

/// <summary>What a benchmark prints about the machine it ran on: CPU model and the instruction sets that matter here.</summary>
internal static class MachineInfo
{
    /// <summary>"AMD EPYC 9R14, 2 cores; ISA: avx avx2 fma avx512f …" (from /proc/cpuinfo, <see cref="CpuFacts"/>).</summary>
    public static string Describe()
    {
        var cpu = CpuFacts.Current();
        return $"{cpu.Model}, {Environment.ProcessorCount} cores; ISA: {(cpu.InstructionSets.Count > 0 ? string.Join(' ', cpu.InstructionSets) : "none of interest")}";
    }
}
