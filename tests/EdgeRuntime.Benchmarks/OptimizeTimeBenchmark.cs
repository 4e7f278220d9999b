using System.Diagnostics;
using System.Globalization;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// How long <c>edgectl optimize</c> itself takes, an earlier build against this one: per shared model, the two
/// executables run alternately (old, new, old, new, …) as separate processes with the same arguments (the model's
/// deployment shapes, Silero's sample rate, <c>--samples 2 --no-measure</c> unless <c>--measure</c>), so both see the
/// same machine noise; medians of wall-clock seconds and of CPU seconds (which waiting for a busy core or being stopped
/// does not stretch), the ratios new/old and their spread over the pairs. The machine's load average is printed
/// before and after each model, since a shared machine stretches both sides.
/// </summary>
internal static class OptimizeTimeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var old = BenchmarkMath.StringOption(args, "--old");
        var current = BenchmarkMath.StringOption(args, "--new");
        var runs = BenchmarkMath.IntOption(args, "--runs", 3);
        var only = BenchmarkMath.StringOption(args, "--model");
        var measure = args.Contains("--measure");
        if (old is null || current is null || !File.Exists(old) || !File.Exists(current))
        {
            Console.Error.WriteLine("optimize-time needs --old PATH and --new PATH, each an edgectl executable");
            return 2;
        }

        if (!SharedModels.Available)
        {
            Console.Error.WriteLine($"the shared models folder {SharedModels.Root} is not present");
            return 1;
        }

        Console.WriteLine(MachineDescription.Line());
        Console.WriteLine($"old = {old}, new = {current}; {runs} runs each, alternating; {(measure ? "with the timed variant choice" : "--no-measure")}, --samples 2; wall-clock seconds, medians");
        Console.WriteLine();
        Console.WriteLine("| model | old s | new s | new/old | per pair | old CPU s | new CPU s | CPU new/old | per pair | load average before → after |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var output = Path.Combine(Path.GetTempPath(), $"edge-optimize-time-{Environment.ProcessId}");
        Directory.CreateDirectory(output);
        try
        {
            foreach (var relative in SharedModels.RealModels.Where(m => only is null || m.Contains(only, StringComparison.Ordinal)))
            {
                var arguments = Arguments(relative, Path.Combine(output, "model.onnx"), measure);
                var loadBefore = LoadAverage();
                var (oldTimes, newTimes) = (new List<double>(), new List<double>());
                var (oldCpu, newCpu) = (new List<double>(), new List<double>());
                string? failure = null;
                for (var i = 0; i < runs && failure is null; i++)
                {
                    foreach (var (exe, times, cpu) in new[] { (old, oldTimes, oldCpu), (current, newTimes, newCpu) })
                    {
                        var cpuBefore = ChildrenCpuSeconds();
                        var (seconds, exitCode, tail) = await TimeAsync(exe, arguments);
                        if (exitCode != 0)
                        {
                            failure = $"{exe} exited {exitCode}: {tail}";
                            break;
                        }

                        times.Add(seconds);
                        cpu.Add(ChildrenCpuSeconds() - cpuBefore);
                    }
                }

                // Each old run and the new run right after it saw about the same load: the spread of their ratios is the
                // noise. CPU seconds (user + system) do not count time spent waiting for the cores or stopped.
                string Ratios(List<double> a, List<double> b)
                {
                    var pairs = a.Zip(b, (x, y) => y / x).ToList();
                    return string.Create(CultureInfo.InvariantCulture, $"{BenchmarkMath.Median(b) / BenchmarkMath.Median(a):F2} | {pairs.Min():F2}–{pairs.Max():F2}");
                }

                Console.WriteLine(failure is not null
                    ? $"| {relative} | | | | | | | | | failed: {failure} |"
                    : string.Create(CultureInfo.InvariantCulture, $"| {relative} | {BenchmarkMath.Median(oldTimes):F2} | {BenchmarkMath.Median(newTimes):F2} | {Ratios(oldTimes, newTimes)} | {BenchmarkMath.Median(oldCpu):F2} | {BenchmarkMath.Median(newCpu):F2} | {Ratios(oldCpu, newCpu)} | {loadBefore} → {LoadAverage()} |"));
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }

        return 0;
    }

    /// <summary>The command line both builds get for <paramref name="relative"/>: the benchmark's shapes and fixed inputs.</summary>
    private static List<string> Arguments(string relative, string output, bool measure)
    {
        var arguments = new List<string> { "optimize", Path.Combine(SharedModels.Root, relative), "-o", output, "--samples", "2" };
        if (!measure)
        {
            arguments.Add("--no-measure");
        }

        foreach (var (name, dims) in ModelInputs.Shapes(relative) ?? new Dictionary<string, long[]>())
        {
            arguments.AddRange(["--shape", $"{name}={string.Join('x', dims)}"]);
        }

        foreach (var (name, value) in ModelInputs.FixedValues(relative) ?? new Dictionary<string, Graph.Ir.Tensor>())
        {
            arguments.AddRange(["--fixed-input", string.Create(CultureInfo.InvariantCulture, $"{name}={value.ToInt64Array()[0]}")]);
        }

        return arguments;
    }

    private static async Task<(double Seconds, int ExitCode, string Tail)> TimeAsync(string executable, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var text = (await stdout) + (await stderr);
        return (seconds, process.ExitCode, text.Length > 300 ? text[^300..].ReplaceLineEndings(" ") : text.ReplaceLineEndings(" "));
    }

    /// <summary>
    /// CPU seconds (user + system) of this process's children that have ended and been waited for (/proc/self/stat
    /// cutime and cstime, in clock ticks of 1/100 s); 0 where there is no /proc.
    /// </summary>
    private static double ChildrenCpuSeconds()
    {
        try
        {
            // The fields after the command name (in parentheses, which may hold spaces): cutime and cstime are 16 and 17.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The 1-minute load average (/proc/loadavg), or "?" where there is none.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
