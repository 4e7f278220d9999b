namespace EdgeRuntime.Pipelines.Configuration;

/// <summary>How requests to one model are queued and batched across pipelines and streams (section <c>Batching</c>).</summary>
public sealed class BatchingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Batching";

    /// <summary>Most requests in one inference (models with a fixed batch of 1 always run one). Default 8.</summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>
    /// Longest a request waits for others to join its batch, ms (timers resolve whole milliseconds); 0 runs what is
    /// queued at once. Default 2.
    /// </summary>
    public double MaxDelayMs { get; set; } = 2;

    /// <summary>Requests a model's queue holds before the overload policy applies. Default 256.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>When the queue is full: DropOldest (newest data wins) or Reject (the new request is refused). Default DropOldest.</summary>
    public OverloadPolicy Overload { get; set; } = OverloadPolicy.DropOldest;

    /// <summary>
    /// The scheduler slice the batcher and result threads ask Linux for, µs (sched_setattr's sched_runtime; the kernel
    /// clamps it to 100–100,000); 0 keeps the kernel's default (about 0.75 ms times 1 + log₂ of the CPU count). EEVDF
    /// (Linux 6.12 and later) lets a waking thread with a shorter slice preempt the running one at once, where a
    /// background thread at nice 10 could otherwise keep the core for the rest of its own slice (the kernel's
    /// Documentation/scheduler/sched-eevdf.rst: a short slice is how latency-sensitive tasks ask for it). Measured by the
    /// device-day benchmark next to on-device training (docs/learning.md). Default 100.
    /// </summary>
    public int ThreadSliceMicroseconds { get; set; } = 100;
}

/// <summary>What a full queue does with one more request. Either way it is counted in status.</summary>
public enum OverloadPolicy
{
    /// <summary>The oldest queued request is dropped to make room.</summary>
    DropOldest,

    /// <summary>The new request is refused.</summary>
    Reject,
}
