using EdgeRuntime.Core.Compute;

namespace EdgeRuntime.Core.Tests.Compute;

/// <summary>Thread pinning against what Linux reports in /proc/self/task/TID/status (Cpus_allowed_list).</summary>
public sealed class ThreadCpuClockTests
{
    [Fact]
    public void LastOfSeveralCpus_IsTheHighestCpuThisProcessMayUse()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "CPU affinity is read from Linux");
        var allowed = AllowedCpus("/proc/self/status");
        Assert.Equal(allowed.Count > 1 ? allowed.Max() : null, ThreadCpuClock.LastOfSeveralCpus());
    }

    [Fact]
    public void PinTo_TheThreadMayRunOnlyOnThatCpu_OtherThreadsUntouched()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "CPU affinity is read from Linux");
        Assert.SkipUnless(ThreadCpuClock.LastOfSeveralCpus() is not null, "one CPU: nothing to pin to");
        var cpu = ThreadCpuClock.LastOfSeveralCpus()!.Value;
        var before = AllowedCpus("/proc/self/status");
        IReadOnlyList<int>? pinned = null;
        var pinnedOk = false;
        var thread = new Thread(() =>
        {
            pinnedOk = ThreadCpuClock.PinTo(cpu);
            pinned = AllowedCpus("/proc/thread-self/status");
        });
        thread.Start();
        thread.Join();

        Assert.True(pinnedOk);
        Assert.Equal([cpu], pinned);
        Assert.Equal(before, AllowedCpus("/proc/self/status"));
        Assert.False(ThreadCpuClock.PinTo(Environment.CurrentManagedThreadId, 4096), "a CPU beyond the mask is refused");
    }

    [Fact]
    public void RequestSlice_TheSchedulerHoldsTheSliceAndTheNiceValue_ForThatThreadOnly()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/proc/thread-self/sched"), "slices are read from Linux");
        var before = SchedField("/proc/self/sched", "se.slice");
        string? slice = null, prio = null;
        var requested = false;
        var thread = new Thread(() =>
        {
            requested = ThreadCpuClock.Lower(10) && ThreadCpuClock.RequestSlice(TimeSpan.FromMicroseconds(200));
            slice = SchedField("/proc/thread-self/sched", "se.slice");
            prio = SchedField("/proc/thread-self/sched", "prio");
        });
        thread.Start();
        thread.Join();

        Assert.SkipUnless(requested && ThreadCpuClock.HonoursSliceRequests, "this kernel refuses sched_setattr or ignores slice requests (before Linux 6.12)");
        Assert.Equal("200000", slice);
        Assert.Equal("130", prio); // 120 + nice 10
        Assert.Equal(before, SchedField("/proc/self/sched", "se.slice"));
    }

    [Theory]
    [InlineData(0, 10, 10)]
    [InlineData(5, 10, 15)]
    [InlineData(15, 10, 19)]
    [InlineData(19, 10, 19)]
    public void NiceBelow_IsRelativeToTheProcess_SoBackgroundWorkNeverOutranksServing(int processNice, int steps, int expected) =>
        Assert.Equal(expected, ThreadCpuClock.NiceBelow(processNice, steps));

    [Fact]
    public void RequestSlice_AThreadUnderSchedIdleKeepsItsPolicy()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/proc/thread-self/sched"), "policies are read from Linux");
        string? policy = null;
        var (idle, requested) = (false, false);
        var thread = new Thread(() =>
        {
            idle = ThreadCpuClock.LowerToIdle();
            requested = ThreadCpuClock.RequestSlice(TimeSpan.FromMicroseconds(100));
            policy = SchedField("/proc/thread-self/sched", "policy");
        });
        thread.Start();
        thread.Join();

        Assert.SkipUnless(idle, "this platform refuses SCHED_IDLE");
        Assert.Equal("5", policy); // SCHED_IDLE, not moved to SCHED_OTHER (0) by the slice request
        Assert.True(requested || !ThreadCpuClock.HonoursSliceRequests);
    }

    // "se.slice      :    1400000" → "1400000".
    private static string? SchedField(string path, string name) =>
        File.ReadLines(path).Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault();

    // "Cpus_allowed_list:\t0-1,4" → [0, 1, 4].
    private static List<int> AllowedCpus(string statusPath)
    {
        var line = File.ReadLines(statusPath).First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        var cpus = new List<int>();
        foreach (var part in line["Cpus_allowed_list:".Length..].Trim().Split(','))
        {
            var range = part.Split('-');
            var from = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
            var to = range.Length > 1 ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : from;
            for (var c = from; c <= to; c++)
            {
                cpus.Add(c);
            }
        }

        return cpus;
    }
}
