namespace EdgeRuntime.Benchmarks;

/// <summary>What a benchmark prints about the machine it ran on: CPU model and the instruction sets that matter here.</summary>
internal static class MachineInfo
{
    private static readonly string[] InterestingFlags = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile"];

    /// <summary>"AMD EPYC 9R14, 2 cores; ISA: avx avx2 fma avx512f …" (the first processor's entry in /proc/cpuinfo).</summary>
    public static string Describe()
    {
        string model = "unknown CPU", flags = string.Empty;
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                var key = line[..colon].Trim();
                if (key == "model name" && model == "unknown CPU")
                {
                    model = line[(colon + 1)..].Trim();
                }
                else if (key is "flags" or "Features" && flags.Length == 0)
                {
                    flags = line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // Not Linux: the model stays unknown.
        }

        var present = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var isa = string.Join(' ', InterestingFlags.Where(present.Contains).Concat(present.Contains("asimd") ? ["neon"] : []));
        return $"{model}, {Environment.ProcessorCount} cores; ISA: {(isa.Length > 0 ? isa : "none of " + string.Join('/', InterestingFlags))}";
    }
}
