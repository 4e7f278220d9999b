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
}

/// <summary>What a full queue does with one more request. Either way it is counted in status.</summary>
public enum OverloadPolicy
{
    /// <summary>The oldest queued request is dropped to make room.</summary>
    DropOldest,

    /// <summary>The new request is refused.</summary>
    Reject,
}
