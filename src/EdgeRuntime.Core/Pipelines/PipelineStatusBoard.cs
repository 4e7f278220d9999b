using System.Collections.Concurrent;

namespace EdgeRuntime.Core.Pipelines;

/// <summary>
/// The device's pipelines as the status document shows them. Each pipeline registers a function that reports its
/// live counters; <see cref="Changed"/> is raised when a pipeline's state (not its counters) changes, and the
/// counters are read whenever the status is written. Thread-safe.
/// </summary>
public sealed class PipelineStatusBoard
{
    private readonly ConcurrentDictionary<string, Func<PipelineStatus>> _pipelines = new(StringComparer.Ordinal);

    /// <summary>Raised after a pipeline's state changed. Handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>Adds or replaces a pipeline's reporter.</summary>
    public void Register(string name, Func<PipelineStatus> report)
    {
        _pipelines[name] = report;
        Changed?.Invoke();
    }

    /// <summary>Removes a pipeline.</summary>
    public void Unregister(string name)
    {
        if (_pipelines.TryRemove(name, out _))
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Tells the board a pipeline's state changed.</summary>
    public void StateChanged() => Changed?.Invoke();

    /// <summary>Every pipeline's status now, by name.</summary>
    public IReadOnlyList<PipelineStatus> Snapshot() =>
        [.. _pipelines.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value())];
}
