using System.Runtime.InteropServices;

namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// The calling thread's CPU time and scheduling priority, from Linux (clock_gettime(CLOCK_THREAD_CPUTIME_ID) and
/// setpriority on the thread id). Training runs on one thread with one ONNX Runtime intra-op thread (ONNX Runtime then
/// runs kernels on the caller), so this thread's CPU time is the training's. Elsewhere both degrade gracefully:
/// wall time stands in for CPU time, and the priority stays.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;
    private const int PriorityProcess = 0;

    /// <summary>The calling thread's CPU time so far, or null where the platform cannot tell.</summary>
    public static TimeSpan? Now()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return clock_gettime(ClockThreadCpuTime, out var time) == 0 ? TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100)) : null;
    }

    /// <summary>Lowers the calling thread's priority to <paramref name="nice"/> (Linux: 0 normal … 19 lowest); false if it could not.</summary>
    public static bool Lower(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // With PRIO_PROCESS and a thread id, Linux sets that one thread's nice value (setpriority(2), NOTES).
        return setpriority(PriorityProcess, gettid(), nice) == 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int priority);

    [LibraryImport("libc")]
    private static partial int gettid();
}
