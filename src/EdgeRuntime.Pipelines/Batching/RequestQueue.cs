using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>
/// The bounded queue in front of a batcher: any number of writers (every pipeline and stream that feeds the model),
/// one reader (the batcher). Lock-free where it runs per request: a sensor source offering hundreds of thousands of
/// samples a second and the batcher taking them would otherwise meet on one lock for every request (a profile of
/// such a source on the runtime's bounded channel showed it waiting for that lock). A write costs one interlocked
/// count, the concurrent queue's own slot claim and a fence; only a reader that found the queue empty costs a wake.
/// The reader blocks while it waits (the batcher has a thread of its own).
/// </summary>
/// <remarks>
/// At the bound, writers racing each other may briefly leave one request each over it (each counts itself in before
/// it looks); the queue never grows with the load, which is what memory needs.
/// </remarks>
internal sealed class RequestQueue(int capacity, bool dropOldest) : IDisposable
{
    // How long a reader polls an empty queue before it blocks: 50 µs, in Stopwatch ticks (as the completion worker).
    private static readonly long PollTicks = Stopwatch.Frequency / 20_000;

    private readonly ConcurrentQueue<InferenceRequest> _items = new();
    private readonly ManualResetEventSlim _arrival = new(false, 0);
    private int _count;
    private int _readerWaiting;
    private volatile bool _completed;

    /// <summary>Requests waiting.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Adds <paramref name="request"/>. When the queue is full, refuses it (false), or with drop-oldest takes the
    /// oldest waiting request out to make room and hands it back in <paramref name="dropped"/>. False after
    /// <see cref="Complete"/>.
    /// </summary>
    public bool TryWrite(InferenceRequest request, out InferenceRequest? dropped)
    {
        dropped = null;
        if (_completed)
        {
            return false;
        }

        if (Interlocked.Increment(ref _count) > capacity)
        {
            if (!dropOldest)
            {
                Interlocked.Decrement(ref _count);
                return false;
            }

            // When the reader emptied the queue meanwhile there is nothing to drop, and room again.
            if (_items.TryDequeue(out var oldest))
            {
                Interlocked.Decrement(ref _count);
                dropped = oldest;
            }
        }

        _items.Enqueue(request);

        // The reader announces itself and then looks at the queue; the writer adds and then looks for a reader.
        // Without a full fence on both sides each could miss the other (a store may pass a later load) and the
        // request would wait for the next writer.
        Interlocked.MemoryBarrier();
        WakeReader();
        return true;
    }

    /// <summary>Takes the oldest request; false when none waits.</summary>
    public bool TryRead(out InferenceRequest request)
    {
        if (_items.TryDequeue(out request!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Blocks the reader until a request may be waiting (<see cref="QueueWait.Ready"/>: it then tries
    /// <see cref="TryRead"/>), the queue is completed and empty, or <paramref name="timeoutMs"/> passed
    /// (<see cref="Timeout.Infinite"/> for no limit). A blocking wait keeps its time to about a tenth of a
    /// millisecond; the runtime's timers do not on Linux. One reader at a time.
    /// </summary>
    public QueueWait Wait(int timeoutMs)
    {
        if (!_items.IsEmpty)
        {
            return QueueWait.Ready;
        }

        if (_completed)
        {
            return QueueWait.Completed;
        }

        if (PollForWrite(timeoutMs))
        {
            return QueueWait.Ready;
        }

        // Announce, then look again: a write that came before the announcement was not told to wake us.
        _arrival.Reset();
        Interlocked.Exchange(ref _readerWaiting, 1);
        var woken = true;
        if (_items.IsEmpty && !_completed)
        {
            woken = _arrival.Wait(timeoutMs);
        }

        Volatile.Write(ref _readerWaiting, 0);
        return !_items.IsEmpty ? QueueWait.Ready : _completed ? QueueWait.Completed : woken ? QueueWait.Ready : QueueWait.TimedOut;
    }

    /// <summary>Refuses further writes; a waiting reader learns of it once the queue is empty.</summary>
    public void Complete()
    {
        _completed = true;
        Interlocked.MemoryBarrier();
        WakeReader();
    }

    /// <summary>Releases the reader's wait handle; the reader must be gone.</summary>
    public void Dispose() => _arrival.Dispose();

    // Requests often follow each other by microseconds, and waking a blocked thread costs the writer a system call
    // and the request tens of microseconds on a virtual board: look again for a short while before blocking.
    private bool PollForWrite(int timeoutMs)
    {
        var pollTicks = timeoutMs == Timeout.Infinite ? PollTicks : Math.Min(PollTicks, timeoutMs * Stopwatch.Frequency / 1000);
        var until = Stopwatch.GetTimestamp() + pollTicks;
        var spinner = default(SpinWait);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (!_items.IsEmpty || _completed)
            {
                return !_items.IsEmpty;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return false;
    }

    private void WakeReader()
    {
        if (Volatile.Read(ref _readerWaiting) == 1 && Interlocked.CompareExchange(ref _readerWaiting, 0, 1) == 1)
        {
            _arrival.Set();
        }
    }
}

/// <summary>How a reader's <see cref="RequestQueue.Wait"/> ended.</summary>
internal enum QueueWait
{
    /// <summary>A request may be waiting.</summary>
    Ready,

    /// <summary>The time given passed with the queue empty.</summary>
    TimedOut,

    /// <summary>The queue is completed and empty: nothing more will come.</summary>
    Completed,
}
