using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeRuntime.Core.Compute;

/// <summary>
/// Threads' CPU time and scheduling priority, from Linux: clock_gettime on a thread's CPU clock and setpriority on its
/// thread id. On-device training runs on one thread with one ONNX Runtime intra-op thread (ONNX Runtime then runs
/// kernels on the caller) plus the ILGPU CPU accelerator's worker threads, so those threads' CPU time is the training's.
/// Elsewhere everything degrades gracefully: null for CPU time (callers use wall time), false for priority changes.
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;
    private const int PriorityProcess = 0;
    private const int SchedIdle = 5;
    private const ulong SchedFlagKeepPolicy = 0x08;

    /// <summary>The calling thread's CPU time so far, or null where the platform cannot tell.</summary>
    public static TimeSpan? Now() => OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var time) == 0 ? ToTimeSpan(time) : null;

    /// <summary>
    /// The CPU time so far of thread <paramref name="threadId"/> (a Linux thread id in this process), or null where the
    /// platform cannot tell or the thread has ended.
    /// </summary>
    public static TimeSpan? Of(int threadId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // A thread's CPU clock id, as glibc's pthread_getcpuclockid builds it from the thread id (MAKE_THREAD_CPUCLOCK
        // in the kernel's posix-cpu-timers: ~tid << 3 | CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_SCHED).
        var clock = (~threadId << 3) | 4 | 2;
        return clock_gettime(clock, out var time) == 0 ? ToTimeSpan(time) : null;
    }

    /// <summary>
    /// Lowers the calling thread's priority by <paramref name="nice"/> steps below the process's own nice value (Linux:
    /// 0 normal … 19 lowest, clamped at 19); false if it could not.
    /// </summary>
    public static bool Lower(int nice) => OperatingSystem.IsLinux() && Lower(gettid(), nice);

    /// <summary>
    /// Lowers thread <paramref name="threadId"/>'s priority by <paramref name="nice"/> steps below the process's own
    /// nice value (clamped at 19): relative, so that a daemon started at nice 15 (systemd's Nice=) keeps its background
    /// threads below its serving threads rather than lifting them to 10 where it may. False if it could not.
    /// </summary>
    public static bool Lower(int threadId, int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // The main thread's nice value is the process's (PRIO_PROCESS with the process id).
        var target = NiceOf(Environment.ProcessId) is { } processNice ? NiceBelow(processNice, nice) : nice;

        // With PRIO_PROCESS and a thread id, Linux sets that one thread's nice value (setpriority(2), NOTES).
        return setpriority(PriorityProcess, threadId, target) == 0;
    }

    /// <summary>
    /// Asks the EEVDF scheduler (Linux 6.12 and later) for a slice of <paramref name="slice"/> on the calling thread
    /// (clamped by the kernel to 0.1–100 ms), keeping its policy and nice value: sched_setattr(2) with sched_runtime and
    /// SCHED_FLAG_KEEP_POLICY. Serving threads ask for a short one so that a waking request does not wait for a
    /// background thread's slice to end. False where the kernel refuses the call (a seccomp filter, a real-time thread,
    /// another architecture); kernels before 6.12 accept it and ignore the slice (<see cref="HonoursSliceRequests"/>).
    /// </summary>
    public static bool RequestSlice(TimeSpan slice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var thread = gettid();
        if (NiceOf(thread) is not { } nice)
        {
            return false;
        }

        // Without SCHED_FLAG_KEEP_POLICY the call would move a thread under SCHED_BATCH or SCHED_IDLE to SCHED_OTHER; with it
        // a real-time thread is refused (EINVAL, its priority is not given) and keeps its policy.
        var attr = new SchedAttr { Size = (uint)Marshal.SizeOf<SchedAttr>(), Flags = SchedFlagKeepPolicy, Nice = nice, Runtime = (ulong)(slice.Ticks * 100) };
        var number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 314L,
            Architecture.Arm64 => 274L,
            _ => -1L,
        };
        return number > 0 && syscall(number, thread, ref attr, 0) == 0;
    }

    /// <summary>
    /// The nice value <paramref name="steps"/> below a process at <paramref name="processNice"/>, clamped at 19 (Linux's
    /// lowest): what <see cref="Lower(int, int)"/> sets.
    /// </summary>
    public static int NiceBelow(int processNice, int steps) => Math.Min(19, processNice + steps);

    /// <summary>Whether this kernel schedules by requested slices (EEVDF custom slices, Linux 6.12 and later).</summary>
    public static bool HonoursSliceRequests => OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(6, 12);

    // A thread's nice value (getpriority(2), which returns -1 both for nice -1 and for an error: errno tells them apart).
    private static int? NiceOf(int threadId)
    {
        Marshal.SetLastPInvokeError(0);
        var nice = getpriority(PriorityProcess, threadId);
        return Marshal.GetLastPInvokeError() == 0 ? nice : null;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getpriority(int which, int who);

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int threadId, ref SchedAttr attr, uint flags);

    /// <summary>
    /// Puts thread <paramref name="threadId"/> under Linux's SCHED_IDLE policy (sched(7)): it runs only on CPU time no
    /// other thread wants, and a normal thread that wakes up preempts it at once, whereas a thread at a high nice value
    /// may keep the core for the rest of its slice (milliseconds) before a waking serving thread gets it. An
    /// unprivileged process may move its own threads into SCHED_IDLE (not back out). False if it could not.
    /// </summary>
    public static bool LowerToIdle(int threadId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var parameter = 0;
        return sched_setscheduler(threadId, SchedIdle, ref parameter) == 0;
    }

    /// <summary>
    /// Restricts thread <paramref name="threadId"/> to CPU <paramref name="cpu"/> (sched_setaffinity(2)), so that its
    /// cache and memory traffic stays off the other cores. The device-day benchmark's controls use it to tell a
    /// background thread's memory traffic from its CPU use (docs/learning.md, "Training next to serving"); the learner
    /// does not pin, as pinning did not change the serving p99 next to real training rounds. False where it could not
    /// (not Linux, a CPU outside the process's set).
    /// </summary>
    public static bool PinTo(int threadId, int cpu)
    {
        if (!OperatingSystem.IsLinux() || cpu < 0 || cpu >= 1024)
        {
            return false;
        }

        Span<ulong> mask = stackalloc ulong[16];
        mask.Clear();
        mask[cpu / 64] = 1UL << (cpu % 64);
        return sched_setaffinity(threadId, (nuint)(mask.Length * sizeof(ulong)), ref MemoryMarshal.GetReference(mask)) == 0;
    }

    /// <summary>
    /// The highest-numbered CPU this process may run on (sched_getaffinity(2)), when it may run on more than one; null
    /// on a single allowed CPU or where the platform cannot tell.
    /// </summary>
    public static int? LastOfSeveralCpus()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<ulong> mask = stackalloc ulong[16];
        mask.Clear();
        if (sched_getaffinity(0, (nuint)(mask.Length * sizeof(ulong)), ref MemoryMarshal.GetReference(mask)) != 0)
        {
            return null;
        }

        var allowed = 0;
        var last = -1;
        for (var cpu = 0; cpu < mask.Length * 64; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                allowed++;
                last = cpu;
            }
        }

        return allowed > 1 ? last : null;
    }

    /// <summary>The calling thread restricted to CPU <paramref name="cpu"/> (see <see cref="PinTo(int, int)"/>).</summary>
    public static bool PinTo(int cpu) => OperatingSystem.IsLinux() && PinTo(gettid(), cpu);

    /// <summary>The calling thread under SCHED_IDLE (see <see cref="LowerToIdle(int)"/>); false if it could not.</summary>
    public static bool LowerToIdle() => OperatingSystem.IsLinux() && LowerToIdle(gettid());

    /// <summary>
    /// This process's threads whose name (Linux comm, at most 15 characters) starts with <paramref name="namePrefix"/>,
    /// as thread ids; empty where the platform cannot tell.
    /// </summary>
    public static IReadOnlyList<int> Threads(string namePrefix)
    {
        ArgumentNullException.ThrowIfNull(namePrefix);
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return [];
        }

        var found = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(folder, "comm")).StartsWith(namePrefix, StringComparison.Ordinal)
                    && int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    found.Add(id);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread ended while the folder was read.
            }
        }

        return found;
    }

    private static TimeSpan ToTimeSpan(TimeSpec time) => TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));

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

    // struct sched_param holds one int (its priority, 0 for SCHED_IDLE).
    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setscheduler(int threadId, int policy, ref int parameter);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int threadId, nuint size, ref ulong mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int threadId, nuint size, ref ulong mask);
}
