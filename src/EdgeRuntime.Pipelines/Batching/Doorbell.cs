using System.Diagnostics;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>
/// How the batcher's threads wait for work that other threads hand them: poll for a short while (work often follows
/// work by microseconds, and waking a blocked thread costs the waker a system call and the work tens of microseconds
/// on a virtual board), then block until rung. Blocking waits keep their time to about a tenth of a millisecond,
/// which the runtime's timers do not on Linux. One waiter, any number of ringers.
/// </summary>
/// <remarks>
/// The waiter announces itself and then looks at the work; a ringer hands the work over and then looks for a
/// waiter. Each side puts a full fence between its write and its read, or each could miss the other (a store may pass
/// a later load) and the work would wait for the next ring.
/// </remarks>
internal sealed class Doorbell : IDisposable
{
    // How long a waiter polls before it blocks: 50 µs, in Stopwatch ticks.
    private static readonly long PollTicks = Stopwatch.Frequency / 20_000;

    private readonly ManualResetEventSlim _bell = new(false, 0);
    private int _listening;

    /// <summary>True while the waiter is blocked (or about to block): only then does a ring cost a system call.</summary>
    public bool Listening => Volatile.Read(ref _listening) == 1;

    /// <summary>
    /// Waits until <paramref name="ready"/> holds or the bell rings (true), or <paramref name="timeoutMs"/> passed
    /// (false; <see cref="Timeout.Infinite"/> for no limit). Waits count whole milliseconds.
    /// </summary>
    public bool Wait(Func<bool> ready, int timeoutMs)
    {
        var pollTicks = timeoutMs == Timeout.Infinite ? PollTicks : Math.Min(PollTicks, timeoutMs * Stopwatch.Frequency / 1000);
        var until = Stopwatch.GetTimestamp() + pollTicks;
        var spinner = default(SpinWait);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (ready())
            {
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        _bell.Reset();
        Interlocked.Exchange(ref _listening, 1);
        var rung = ready() || _bell.Wait(timeoutMs);
        Volatile.Write(ref _listening, 0);
        return rung;
    }

    /// <summary>
    /// Call after handing work over: wakes a blocked waiter. True when that took a system call (the caller may time
    /// it); a polling waiter finds the work by itself.
    /// </summary>
    public bool Ring()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _listening) == 1 && Interlocked.CompareExchange(ref _listening, 0, 1) == 1)
        {
            _bell.Set();
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _bell.Dispose();
}
