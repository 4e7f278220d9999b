namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// CPU time spent training, over a sliding hour: each slice of work is recorded with the time it ended; the total is
/// what ended within the last hour. Slices ending within <see cref="Resolution"/> of the first slice of the newest
/// entry are added to that entry, so a round's thousands of steps make at most one entry per ten seconds (360 an hour:
/// the queue never grows into a large-object array, whose allocation would start a gen 2 collection next to serving).
/// An entry leaves the hour when its last slice does, so the total errs towards more CPU, never less. Pure
/// bookkeeping; the caller passes the clock's time. Thread-safe.
/// </summary>
public sealed class CpuBudgetLedger
{
    /// <summary>How close in time slices must end to share one entry.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, TimeSpan Cpu)> _closed = new();
    private (DateTimeOffset Start, DateTimeOffset At, TimeSpan Cpu)? _open;
    private TimeSpan _total;
    private TimeSpan _ever;

    /// <summary>Records <paramref name="cpu"/> spent in a slice that ended at <paramref name="at"/>.</summary>
    public void Record(DateTimeOffset at, TimeSpan cpu)
    {
        lock (_gate)
        {
            if (_open is { } open && at >= open.Start && at - open.Start < Resolution)
            {
                _open = (open.Start, at > open.At ? at : open.At, open.Cpu + cpu);
            }
            else
            {
                if (_open is { } previous)
                {
                    _closed.Enqueue((previous.At, previous.Cpu));
                }

                _open = (at, at, cpu);
            }

            _total += cpu;
            _ever += cpu;
        }
    }

    /// <summary>All CPU time ever recorded.</summary>
    public TimeSpan Total
    {
        get
        {
            lock (_gate)
            {
                return _ever;
            }
        }
    }

    /// <summary>CPU time recorded within the hour before <paramref name="now"/>.</summary>
    public TimeSpan UsedInLastHour(DateTimeOffset now)
    {
        lock (_gate)
        {
            var cutoff = now - TimeSpan.FromHours(1);
            while (_closed.Count > 0 && _closed.Peek().At <= cutoff)
            {
                _total -= _closed.Dequeue().Cpu;
            }

            if (_closed.Count == 0 && _open is { } open && open.At <= cutoff)
            {
                _total -= open.Cpu;
                _open = null;
            }

            return _total;
        }
    }
}
