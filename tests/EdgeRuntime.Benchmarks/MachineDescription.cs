namespace EdgeRuntime.Benchmarks;

/// <summary>The machine a measurement ran on, from /proc/cpuinfo: CPU model, vector ISA, cores.</summary>
internal static class MachineDescription
{
    public static string Line()
    {
        var model = "unknown CPU";
        var isa = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && model == "unknown CPU")
                {
                    model = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
                else if (line.StartsWith("flags", StringComparison.Ordinal) && isa.Count == 0)
                {
                    isa.UnionWith(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Where(f => f.StartsWith("avx", StringComparison.Ordinal) || f.Contains("vnni", StringComparison.Ordinal) || f is "fma" or "f16c"));
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or no procfs: the model stays unknown.
        }

        return $"{model}; {Environment.ProcessorCount} cores; ISA {(isa.Count == 0 ? "(none reported)" : string.Join(" ", isa))}";
    }
}
