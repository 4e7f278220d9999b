namespace EdgeRuntime.Pipelines.Metrics;

/// <summary>
/// A pipeline's accounting: every sample fed ends in exactly one of served, dropped, rejected, failed or
/// waiting-for-model, or is still queued. Thread-safe.
/// </summary>
public sealed class PipelineCounters
{
    /// <summary>Creates the counters; <paramref name="timeProvider"/> is the clock of the sliding latency window.</summary>
    public PipelineCounters(TimeProvider? timeProvider = null) => RecentLatency = new SlidingLatencyWindow(timeProvider);

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

    /// <summary>Latency from sample ready to result ready, since start.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>
    /// The same latency over the last minute only (<see cref="SlidingLatencyWindow.DefaultWindow"/>): what the status,
    /// the live line and the metrics report, so one cold-start sample stops counting a minute later.
    /// </summary>
    public SlidingLatencyWindow RecentLatency { get; }

    /// <summary>
    /// The 99th percentile latency of the last minute, ms (within 5% above the true value); null when nothing was
    /// served in that minute. Cheap to read (a few microseconds, no allocation): meant for code that backs off when
    /// serving is slow, such as on-device training pausing between steps.
    /// </summary>
    public double? RecentP99Ms => RecentLatency.RecentP99Ms;

    /// <summary>Records one served sample's latency in both the since-start histogram and the sliding window.</summary>
    public void RecordLatency(TimeSpan latency)
    {
        Latency.Record(latency);
        RecentLatency.Record(latency);
    }

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
