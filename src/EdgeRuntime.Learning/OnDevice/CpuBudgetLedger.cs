namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// CPU time spent training, over a sliding hour: each slice of work is recorded with the time it ended; the total is
/// what ended within the last hour. Pure bookkeeping; the caller passes the clock's time. Thread-safe.
/// </summary>
public sealed class CpuBudgetLedger
{
    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, TimeSpan Cpu)> _slices = new();
    private TimeSpan _total;
    private TimeSpan _ever;

    /// <summary>Records <paramref name="cpu"/> spent in a slice that ended at <paramref name="at"/>.</summary>
    public void Record(DateTimeOffset at, TimeSpan cpu)
    {
        lock (_gate)
        {
            _slices.Enqueue((at, cpu));
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
            while (_slices.Count > 0 && _slices.Peek().At <= now - TimeSpan.FromHours(1))
            {
                _total -= _slices.Dequeue().Cpu;
            }

            return _total;
        }
    }
}
