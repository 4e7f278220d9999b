using System.Globalization;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// CPU time per thread of this process, from /proc/self/task (Linux; empty elsewhere), summed by thread name, so a
/// measurement can say where its CPU went (serving's batcher, the thread pool, ILGPU's CPU workers, the JIT). Threads
/// that end between two snapshots (a learning round's own thread) are not in the difference.
/// </summary>
internal sealed class ThreadCpuBreakdown
{
    private readonly Dictionary<string, double> _seconds;
    private readonly Dictionary<string, (double WaitMs, long Slices)> _waits;

    private ThreadCpuBreakdown(Dictionary<string, double> seconds, Dictionary<string, (double WaitMs, long Slices)> waits) => (_seconds, _waits) = (seconds, waits);

    /// <summary>Each live thread's user + system CPU seconds so far, keyed by name and thread id.</summary>
    public static ThreadCpuBreakdown Now()
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        var waits = new Dictionary<string, (double, long)>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task"))
        {
            return new ThreadCpuBreakdown(seconds, waits);
        }

        foreach (var folder in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                // stat: "tid (comm) state …"; utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                seconds[$"{name}#{Path.GetFileName(folder)}"] = ticks / 100.0;

                // schedstat: time on the CPU, time waiting on a run queue (ns), time slices run.
                var schedstat = File.ReadAllText(Path.Combine(folder, "schedstat")).Split(' ');
                waits[$"{name}#{Path.GetFileName(folder)}"] = (double.Parse(schedstat[1], CultureInfo.InvariantCulture) / 1e6, long.Parse(schedstat[2], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended while it was read.
            }
        }

        return new ThreadCpuBreakdown(seconds, waits);
    }

    /// <summary>Time waiting on a run queue since <paramref name="before"/> (ms, and time slices run), by thread name, those of at least 1 ms: how long ready threads waited for a core.</summary>
    public string RunQueueWaitSince(ThreadCpuBreakdown before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var byName = new Dictionary<string, (double WaitMs, long Slices)>(StringComparer.Ordinal);
        foreach (var (key, value) in _waits)
        {
            var name = key[..key.LastIndexOf('#')].Trim();
            var earlier = before._waits.GetValueOrDefault(key);
            var sum = byName.GetValueOrDefault(name);
            byName[name] = (sum.WaitMs + value.WaitMs - earlier.WaitMs, sum.Slices + value.Slices - earlier.Slices);
        }

        return string.Join(", ", byName.Where(p => p.Value.WaitMs >= 1).OrderByDescending(p => p.Value.WaitMs).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value.WaitMs:0} ms/{p.Value.Slices}")));
    }

    /// <summary>CPU seconds used since <paramref name="before"/>, by thread name, largest first, those of at least 0.1 s.</summary>
    public string Since(ThreadCpuBreakdown before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in _seconds)
        {
            var name = key[..key.LastIndexOf('#')];
            byName[name] = byName.GetValueOrDefault(name) + value - before._seconds.GetValueOrDefault(key);
        }

        return string.Join(", ", byName.Where(p => p.Value >= 0.1).OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key.Trim()} {p.Value:0.0} s")));
    }
}
