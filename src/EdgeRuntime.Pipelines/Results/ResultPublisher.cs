using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Results;

/// <summary>
/// A sink that sends a pipeline's results off the device, at most <see cref="ResultOptions.MaxPerSecond"/> a second
/// (a token bucket a second deep; 0 lets every result through; results over the rate are counted as throttled and only
/// stored), with the counts the live line shows. Subclasses say how a result is handed on. Thread-safe.
/// </summary>
public abstract class ResultPublisher(ResultOptions options, TimeProvider timeProvider) : IResultSink
{
    private readonly Lock _gate = new();
    private double _tokens = Math.Max(1, options.MaxPerSecond);
    private long _refilledAt = timeProvider.GetTimestamp();
    private long _published;
    private long _throttled;
    private long _notQueued;

    /// <summary>Results handed on for sending (to the connection, or durably to the outbox).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Results over the rate (stored only).</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Results that could not be handed on (the outgoing queue or the outbox full; stored only).</summary>
    public long NotQueued => Interlocked.Read(ref _notQueued);

    /// <inheritdoc />
    public void Write(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (TakeToken())
        {
            Send(result);
        }
        else
        {
            Interlocked.Increment(ref _throttled);
        }
    }

    /// <summary>Hands <paramref name="result"/> on; never blocks for long. Counts with <see cref="Counted"/>.</summary>
    protected abstract void Send(PipelineResult result);

    /// <summary>Counts a result handed on (<paramref name="handedOn"/>) or refused for want of room.</summary>
    protected void Counted(bool handedOn) => Interlocked.Increment(ref handedOn ? ref _published : ref _notQueued);

    /// <summary>Takes back a result counted as handed on that then failed (the transport refused it after all).</summary>
    protected void Recount()
    {
        Interlocked.Decrement(ref _published);
        Interlocked.Increment(ref _notQueued);
    }

    private bool TakeToken()
    {
        if (options.MaxPerSecond <= 0)
        {
            return true;
        }

        lock (_gate)
        {
            var now = timeProvider.GetTimestamp();
            _tokens = Math.Min(options.MaxPerSecond, _tokens + (timeProvider.GetElapsedTime(_refilledAt, now).TotalSeconds * options.MaxPerSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
