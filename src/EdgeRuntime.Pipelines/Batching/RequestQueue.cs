using System.Collections.Concurrent;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>
/// The bounded queue in front of a batcher: any number of writers (every pipeline and stream that feeds the model),
/// one reader (the batcher). Lock-free where it runs per request: a sensor source offering hundreds of thousands of
/// samples a second and the batcher taking them would otherwise meet on one lock for every request (a profile of
/// such a source on the runtime's bounded channel showed it waiting for that lock). A write costs one interlocked
/// count, the concurrent queue's own slot claim and a fence; only a reader blocked at the <see cref="Doorbell"/>
/// costs a wake.
/// </summary>
/// <remarks>
/// At the bound, writers racing each other may briefly leave one request each over it (each counts itself in before
/// it looks); the queue never grows with the load, which is what memory needs.
/// </remarks>
internal sealed class RequestQueue : IDisposable
{
    private readonly int _capacity;
    private readonly bool _dropOldest;
    private readonly ConcurrentQueue<InferenceRequest> _items = new();
    private readonly Doorbell _doorbell = new();
    private readonly Func<bool> _mayRead;
    private int _count;
    private volatile bool _completed;

    public RequestQueue(int capacity, bool dropOldest)
    {
        _capacity = capacity;
        _dropOldest = dropOldest;
        _mayRead = () => !_items.IsEmpty || _completed;
    }

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

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            if (!_dropOldest)
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
        _doorbell.Ring();
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

        var woken = _doorbell.Wait(_mayRead, timeoutMs);
        return !_items.IsEmpty ? QueueWait.Ready : _completed ? QueueWait.Completed : woken ? QueueWait.Ready : QueueWait.TimedOut;
    }

    /// <summary>Refuses further writes; a waiting reader learns of it once the queue is empty.</summary>
    public void Complete()
    {
        _completed = true;
        _doorbell.Ring();
    }

    /// <summary>Releases the reader's wait handle; the reader must be gone.</summary>
    public void Dispose() => _doorbell.Dispose();
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
