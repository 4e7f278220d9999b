using System.Collections.Concurrent;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>
/// The bounded queue in front of a batcher: any number of writers (every pipeline and stream that feeds the model),
/// one reader (the batcher). Lock-free where it runs per request: a sensor source offering hundreds of thousands of
/// samples a second and the batcher taking them would otherwise meet on one lock for every request (a profile of
/// such a source on the runtime's bounded channel showed it waiting for that lock). A write costs one interlocked
/// count, the concurrent queue's own slot claim and a fence; only a reader that found the queue empty costs a wake.
/// </summary>
/// <remarks>
/// At the bound, writers racing each other may briefly leave one request each over it (each counts itself in before
/// it looks); the queue never grows with the load, which is what memory needs.
/// </remarks>
internal sealed class RequestQueue(int capacity, bool dropOldest)
{
    private readonly ConcurrentQueue<InferenceRequest> _items = new();
    private int _count;
    private TaskCompletionSource<bool>? _arrival;
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
    /// Completes with true when a request may be waiting (the reader then tries <see cref="TryRead"/>), with false once
    /// the queue is completed and empty. One reader at a time.
    /// </summary>
    public Task<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (!_items.IsEmpty)
        {
            return Task.FromResult(true);
        }

        if (_completed)
        {
            return Task.FromResult(false);
        }

        var arrival = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A wait the reader gave up on (its batch stopped waiting for more) is settled here, so that it does not
        // keep its registration on the token.
        Interlocked.Exchange(ref _arrival, arrival)?.TrySetResult(true);
        if (!_items.IsEmpty || _completed)
        {
            Interlocked.CompareExchange(ref _arrival, null, arrival);
            return Task.FromResult(MayRead);
        }

        return cancellationToken.CanBeCanceled ? arrival.Task.WaitAsync(cancellationToken) : arrival.Task;
    }

    /// <summary>Refuses further writes; a waiting reader learns of it once the queue is empty.</summary>
    public void Complete()
    {
        _completed = true;
        Interlocked.MemoryBarrier();
        WakeReader();
    }

    private void WakeReader()
    {
        if (Volatile.Read(ref _arrival) is { } arrival && Interlocked.CompareExchange(ref _arrival, null, arrival) == arrival)
        {
            arrival.TrySetResult(MayRead);
        }
    }

    // False only when nothing will ever be read again.
    private bool MayRead => !_completed || !_items.IsEmpty;
}
