namespace EdgeRuntime.Core.Learning;

/// <summary>How busy serving is right now, for background work that must give way to it.</summary>
/// <param name="QueuedRequests">Requests waiting for inference across the device's pipelines.</param>
/// <param name="RecentP99Ms">99th percentile latency over the most recent requests (a sliding window), ms; null before any.</param>
public readonly record struct InferenceLoad(long QueuedRequests, double? RecentP99Ms);

/// <summary>Reports <see cref="InferenceLoad"/>; implemented by the pipelines, read by on-device training. Thread-safe.</summary>
public interface IInferenceLoad
{
    /// <summary>The load now.</summary>
    InferenceLoad Current { get; }
}
