using System.Globalization;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// CPU time per thread of this process, from /proc/self/task (Linux; empty elsewhere), summed by thread name, so a
/// measurement can say where its CPU went (serving's batcher, the thread pool, ILGPU's CPU workers, the JIT). Threads
/// that end between two snapshots (a learning round's own thread) are not in the difference.
/// </summary>
internal sealed class ThreadCpuBreakdown
{
    // Per live thread, keyed by "name#tid": CPU seconds (user + system), run-queue wait in ms, time slices run.
    private readonly Dictionary<string, ThreadTimes> _threads;

    private ThreadCpuBreakdown(Dictionary<string, ThreadTimes> threads) => _threads = threads;

    /// <summary>Each live thread's CPU seconds and run-queue wait so far, keyed by name and thread id.</summary>
    public static ThreadCpuBreakdown Now()
    {
        var threads = new Dictionary<string, ThreadTimes>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task"))
        {
            return new ThreadCpuBreakdown(threads);
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

                // schedstat: time on the CPU, time waiting on a run queue (ns), time slices run.
                var schedstat = File.ReadAllText(Path.Combine(folder, "schedstat")).Split(' ');
                threads[$"{name}#{Path.GetFileName(folder)}"] = new ThreadTimes(
                    ticks / 100.0,
                    double.Parse(schedstat[1], CultureInfo.InvariantCulture) / 1e6,
                    long.Parse(schedstat[2], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended while it was read.
            }
        }

        return new ThreadCpuBreakdown(threads);
    }

    /// <summary>Time waiting on a run queue since <paramref name="before"/> (ms, and time slices run), by thread name, those of at least 1 ms: how long ready threads waited for a core.</summary>
    public string RunQueueWaitSince(ThreadCpuBreakdown before) =>
        string.Join(", ", ByName(before).Where(p => p.Value.WaitMs >= 1).OrderByDescending(p => p.Value.WaitMs).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value.WaitMs:0} ms/{p.Value.Slices}")));

    /// <summary>CPU seconds used since <paramref name="before"/>, by thread name, largest first, those of at least 0.1 s.</summary>
    public string Since(ThreadCpuBreakdown before) =>
        string.Join(", ", ByName(before).Where(p => p.Value.CpuSeconds >= 0.1).OrderByDescending(p => p.Value.CpuSeconds).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value.CpuSeconds:0.0} s")));

    // What each thread did since before, summed over threads of the same name.
    private Dictionary<string, ThreadTimes> ByName(ThreadCpuBreakdown before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var byName = new Dictionary<string, ThreadTimes>(StringComparer.Ordinal);
        foreach (var (key, now) in _threads)
        {
            var name = key[..key.LastIndexOf('#')].Trim();
            var earlier = before._threads.GetValueOrDefault(key);
            var sum = byName.GetValueOrDefault(name);
            byName[name] = new ThreadTimes(
                sum.CpuSeconds + now.CpuSeconds - earlier.CpuSeconds,
                sum.WaitMs + now.WaitMs - earlier.WaitMs,
                sum.Slices + now.Slices - earlier.Slices);
        }

        return byName;
    }

    private readonly record struct ThreadTimes(double CpuSeconds, double WaitMs, long Slices);
}
