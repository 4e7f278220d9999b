namespace EdgeRuntime.Pipelines.Metrics;

/// <summary>
/// A pipeline's accounting: every sample fed ends in exactly one of served, dropped, rejected, failed or
/// waiting-for-model, or is still queued. Thread-safe.
/// </summary>
public sealed class PipelineCounters
{
    private long _fed;
    private long _served;
    private long _dropped;
    private long _rejected;
    private long _failed;
    private long _waitingForModel;
    private long _queued;
    private long _batches;
    private long _batchedRequests;

    /// <summary>Samples handed over by the sources.</summary>
    public long Fed => Interlocked.Read(ref _fed);

    /// <summary>Samples answered.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Samples pushed out of a full queue.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Samples a full queue refused.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Samples whose processing failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Samples that came while no model version served.</summary>
    public long WaitingForModel => Interlocked.Read(ref _waitingForModel);

    /// <summary>Samples in the queue now.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Mean batch size this pipeline's requests ran in, or null before the first.</summary>
    public double? MeanBatch
    {
        get
        {
            var batches = Interlocked.Read(ref _batches);
            return batches == 0 ? null : (double)Interlocked.Read(ref _batchedRequests) / batches;
        }
    }

    /// <summary>Latency from sample ready to result ready.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>The same latencies, the most recent only (a sliding window for "is serving slow now").</summary>
    public RecentLatencies RecentLatency { get; } = new();

    internal void OnFed() => Interlocked.Increment(ref _fed);

    internal void OnQueued() => Interlocked.Increment(ref _queued);

    internal void OnDequeued() => Interlocked.Decrement(ref _queued);

    internal void OnServed() => Interlocked.Increment(ref _served);

    internal void OnDropped()
    {
        Interlocked.Decrement(ref _queued);
        Interlocked.Increment(ref _dropped);
    }

    internal void OnRejected() => Interlocked.Increment(ref _rejected);

    internal void OnFailed() => Interlocked.Increment(ref _failed);

    internal void OnWaitingForModel() => Interlocked.Increment(ref _waitingForModel);

    internal void OnBatch(int size)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedRequests, size);
    }
}
