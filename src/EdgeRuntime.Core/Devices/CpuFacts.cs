namespace EdgeRuntime.Core.Devices;

/// <summary>
/// The CPU a daemon or a benchmark runs on: its model and the instruction sets that decide which kernels pay off
/// (AVX2, AVX-512, VNNI for int8 dot products on x64; NEON and its dot-product extension on arm64). Read from
/// /proc/cpuinfo, never assumed: the machines one fleet runs on differ.
/// </summary>
/// <param name="Model">The model name ("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"), or "unknown".</param>
/// <param name="InstructionSets">The instruction sets of interest present, in a fixed order ("avx2", "avx512f", "avx512_vnni", …).</param>
public sealed record CpuFacts(string Model, IReadOnlyList<string> InstructionSets)
{
    // The flags worth reporting, in the order they print: x64 vector and int8 extensions, then arm64's.
    private static readonly string[] OfInterest = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8", "asimd", "asimddp", "fphp", "sve"];

    /// <summary>Whether an instruction set is present.</summary>
    public bool Has(string instructionSet) => InstructionSets.Contains(instructionSet, StringComparer.Ordinal);

    /// <summary>One line: model, then the instruction sets.</summary>
    public override string ToString() => $"{Model} [{string.Join(" ", InstructionSets)}]";

    /// <summary>The facts of this machine (from /proc/cpuinfo; "unknown" with no sets where it cannot be read).</summary>
    public static CpuFacts Current()
    {
        try
        {
            return Parse(File.ReadAllText("/proc/cpuinfo"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CpuFacts("unknown", []);
        }
    }

    /// <summary>Reads the first processor's model name and flags (x64 "flags", arm64 "Features") from cpuinfo text.</summary>
    public static CpuFacts Parse(string cpuinfo)
    {
        ArgumentNullException.ThrowIfNull(cpuinfo);
        string? model = null;
        HashSet<string>? flags = null;
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (model is null && key is "model name" or "Model" or "Hardware")
            {
                model = value;
            }
            else if (flags is null && key is "flags" or "Features")
            {
                flags = [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            }
        }

        return new CpuFacts(model ?? "unknown", [.. OfInterest.Where(f => flags?.Contains(f) == true)]);
    }
}
