using EdgeRuntime.Inference.Runtime;

namespace EdgeRuntime.Inference.Serving;

/// <summary>
/// One version of a model in service: its ONNX Runtime session and a count of the requests using it. The slot
/// holds one reference while the version is current; each request holds one while it runs. The session is
/// disposed when the last reference goes, so a swap never pulls a session from under a running request.
/// </summary>
public sealed class ServedModel
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _references = 1;

    /// <summary>Wraps <paramref name="session"/>, which it owns from now on; <paramref name="source"/> is the file it was made from, when there is one.</summary>
    public ServedModel(string name, long version, ModelSession session, string plan, Core.Models.InstalledModel? source = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        Name = name;
        Version = version;
        Session = session;
        Plan = plan;
        Source = source;
    }

    /// <summary>The installed file this version was made from (before optimisation), or null.</summary>
    public Core.Models.InstalledModel? Source { get; }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The version.</summary>
    public long Version { get; }

    /// <summary>The session; valid while a reference is held.</summary>
    public ModelSession Session { get; }

    /// <summary>How it runs here (optimisation level, provider), for status and logs.</summary>
    public string Plan { get; }

    /// <summary>The execution plan as a record (its cache key and content hash), when it came from the plan cache or was built for it.</summary>
    public Core.Models.ExecutionPlan? Execution { get; init; }

    /// <summary>Completes when the last reference was released and the session disposed.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Requests running on it now (the slot's own reference excluded while current).</summary>
    public int References => Volatile.Read(ref _references);

    /// <summary>Takes a reference unless the model has already drained.</summary>
    internal bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Drops a reference; the last one disposes the session.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Session.Dispose();
            _drained.TrySetResult();
        }
    }
}
