using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Results;

/// <summary>
/// The results a pipeline may publish: at most <see cref="ResultOptions.MaxPerSecond"/> a second (a token bucket a
/// second deep; 0 lets every result through). Results over the rate are counted as throttled and only stored.
/// Thread-safe.
/// </summary>
public sealed class ResultRateLimit(ResultOptions options, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private double _tokens = Math.Max(1, options.MaxPerSecond);
    private long _refilledAt = timeProvider.GetTimestamp();
    private long _throttled;

    /// <summary>Results over the rate (stored only).</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Whether one more result may be published now (false counts it as throttled).</summary>
    public bool TryTake()
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
                Interlocked.Increment(ref _throttled);
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
