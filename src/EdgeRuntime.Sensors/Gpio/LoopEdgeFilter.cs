namespace EdgeRuntime.Sensors.Gpio;

/// <summary>
/// Turns one loop's raw edges into vehicle occupancies, the way a loop detector card's minimum on/off times do: a
/// release followed by a new detection within <c>debounce</c> is contact chatter and joins the two into one vehicle;
/// a detection shorter than <c>debounce</c> is a spike and is dropped. Edges must arrive in time order; repeated
/// edges of the same kind are ignored. Not thread-safe: one owner per loop.
/// </summary>
public sealed class LoopEdgeFilter(TimeSpan debounce)
{
    private TimeSpan? _onSince;
    private TimeSpan? _pendingOff;

    /// <summary>Detections dropped as spikes so far.</summary>
    public long SpikesDropped { get; private set; }

    /// <summary>Releases that chatter joined back into the same vehicle so far.</summary>
    public long BouncesMerged { get; private set; }

    /// <summary>The vehicle over the loop now, if any (its start; still open).</summary>
    public LoopOccupancy? Open => _onSince is { } on ? new LoopOccupancy(on, _pendingOff) : null;

    /// <summary>A rising edge (vehicle enters) at <paramref name="at"/>; returns a vehicle it completed, if any.</summary>
    public LoopOccupancy? Rise(TimeSpan at)
    {
        if (_onSince is null)
        {
            _onSince = at;
            return null;
        }

        if (_pendingOff is not { } off)
        {
            return null;
        }

        if (at - off < debounce)
        {
            _pendingOff = null;
            BouncesMerged++;
            return null;
        }

        var finished = Complete(_onSince.Value, off);
        _onSince = at;
        return finished;
    }

    /// <summary>A falling edge (vehicle leaves) at <paramref name="at"/>; the release is final only after <c>debounce</c>.</summary>
    public void Fall(TimeSpan at)
    {
        if (_onSince is not null && _pendingOff is null)
        {
            _pendingOff = at;
        }
    }

    /// <summary>Completes a release that stayed released for <c>debounce</c> by <paramref name="now"/>.</summary>
    public LoopOccupancy? Settle(TimeSpan now)
    {
        if (_onSince is { } on && _pendingOff is { } off && now - off >= debounce)
        {
            return Complete(on, off);
        }

        return null;
    }

    private LoopOccupancy? Complete(TimeSpan on, TimeSpan off)
    {
        _onSince = null;
        _pendingOff = null;
        if (off - on < debounce)
        {
            SpikesDropped++;
            return null;
        }

        return new LoopOccupancy(on, off);
    }
}
