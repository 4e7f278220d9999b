using System.Security.Cryptography;
using System.Text;
using EdgeRuntime.Core.Planning;

namespace EdgeRuntime.Core.Devices;

/// <summary>
/// What the device probe found: which execution providers load (each unavailable one with its one-line reason), whether
/// this is a Jetson, the CPU's model, cores and instruction sets (from /proc/cpuinfo, never assumed), the memory, and a
/// stable fingerprint of all that decides which plan is fastest. Published in the device status; the plan cache keys
/// plans by <see cref="Fingerprint"/>.
/// </summary>
/// <param name="Fingerprint">A stable id of the facts plans depend on: <c>{architecture}-{12 hex digits}</c>.</param>
/// <param name="Architecture">x64, arm64, …</param>
/// <param name="CpuModel">The CPU's model name, or "unknown".</param>
/// <param name="InstructionSets">The instruction sets of interest present (avx2, avx512f, avx512_vnni, asimd, asimddp, …).</param>
/// <param name="Cores">Logical processors available to the process.</param>
/// <param name="MemoryBytes">Memory available to the process (cgroup limit or physical memory).</param>
/// <param name="Jetson">The Jetson board's model (from the device tree), or null on other machines.</param>
/// <param name="Providers">Every execution provider, best first, with whether it loads and why not.</param>
public sealed record DeviceProfile(
    string Fingerprint,
    string Architecture,
    string CpuModel,
    IReadOnlyList<string> InstructionSets,
    int Cores,
    long MemoryBytes,
    string? Jetson,
    IReadOnlyList<ProviderAvailability> Providers)
{
    /// <summary>The best provider that loads (the CPU always does).</summary>
    public ExecutionProvider BestProvider => Providers.FirstOrDefault(p => p.Available)?.Provider ?? ExecutionProvider.Cpu;

    /// <summary>Whether the CPU has int8 dot-product instructions that do not saturate (AVX-512 VNNI, AVX-VNNI, arm64 dot product).</summary>
    public bool HasInt8DotProduct => InstructionSets.Any(s => s is "avx512_vnni" or "avx_vnni" or "asimddp");

    /// <summary>
    /// Whether int8 weights should use 7 bits (reduce range): on x64 without VNNI, ONNX Runtime's u8s8 kernels multiply
    /// with vpmaddubsw, whose int16 pair sums saturate for full-range weights (ONNX Runtime's quantisation docs).
    /// </summary>
    public bool Int8NeedsReducedRange => Architecture == "x64" && !HasInt8DotProduct;

    /// <summary>Builds a profile and its fingerprint from the facts (pure; the probe gathers them).</summary>
    public static DeviceProfile Create(string architecture, CpuFacts cpu, int cores, long memoryBytes, string? jetson, IReadOnlyList<ProviderAvailability> providers)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(providers);

        // Memory is left out: a plan does not change with it, and cgroup limits move it between restarts.
        var facts = $"{architecture}|{cpu.Model}|{string.Join(',', cpu.InstructionSets)}|{cores}|{jetson}|{string.Join(',', providers.Where(p => p.Available).Select(p => p.Provider))}";
        var fingerprint = $"{architecture}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(facts)))[..12]}";
        return new DeviceProfile(fingerprint, architecture, cpu.Model, cpu.InstructionSets, cores, memoryBytes, jetson, providers);
    }
}
