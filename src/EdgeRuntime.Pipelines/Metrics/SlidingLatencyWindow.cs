namespace EdgeRuntime.Pipelines.Metrics;

/// <summary>
/// Latencies of the recent past only: a ring of <see cref="SlotCount"/> sub-histograms, each covering one slot of
/// <see cref="Window"/> / <see cref="SlotCount"/>, with the same 5% logarithmic buckets as
/// <see cref="LatencyHistogram"/>. A slot is cleared when the clock comes round to it again, so a percentile read
/// covers between (SlotCount − 1) and SlotCount slots of history, and a cold-start sample stops counting one window
/// later (a since-start histogram keeps it forever). Recording is lock-free (one timestamp read and two interlocked
/// increments; a lock only when a slot turns over, once per slot). Reading sums the live slots' buckets:
/// 6 × 420 counters, a few microseconds, no allocation — cheap enough for a training loop that asks for
/// <see cref="RecentP99Ms"/> between steps. Thread-safe.
/// </summary>
/// <remarks>
/// The window idea is the one Prometheus summaries use (<c>max_age</c> with <c>age_buckets</c>) and HdrHistogram's
/// interval histograms: a percentile over the last minute, not since start.
/// </remarks>
public sealed class SlidingLatencyWindow
{
    /// <summary>Sub-histograms in the ring.</summary>
    public const int SlotCount = 6;

    /// <summary>The default window: one minute.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(60);

    private readonly Slot[] _slots = new Slot[SlotCount];
    private readonly TimeProvider _time;
    private readonly long _slotTicks;
    private readonly Lock _turnover = new();

    /// <summary>Creates a window of <paramref name="window"/> (default one minute) on <paramref name="timeProvider"/>'s clock.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is shorter than 6 ms.</exception>
    public SlidingLatencyWindow(TimeProvider? timeProvider = null, TimeSpan? window = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        Window = window ?? DefaultWindow;
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, TimeSpan.FromMilliseconds(SlotCount));
        _slotTicks = (long)(Window.TotalSeconds * _time.TimestampFrequency / SlotCount);
        for (var i = 0; i < SlotCount; i++)
        {
            _slots[i] = new Slot { Epoch = long.MinValue };
        }
    }

    /// <summary>How far back a read looks, at most.</summary>
    public TimeSpan Window { get; }

    /// <summary>Latencies recorded within the window.</summary>
    public long Count
    {
        get
        {
            var now = CurrentEpoch();
            long total = 0;
            foreach (var slot in _slots)
            {
                if (IsLive(slot, now))
                {
                    total += Interlocked.Read(ref slot.Total);
                }
            }

            return total;
        }
    }

    /// <summary>The 99th percentile of the window's latencies, ms; null when nothing was recorded within it.</summary>
    public double? RecentP99Ms => PercentileMs(0.99);

    /// <summary>Records one latency now.</summary>
    public void Record(TimeSpan latency)
    {
        var epoch = CurrentEpoch();
        var slot = _slots[(int)(epoch % SlotCount)];
        if (Volatile.Read(ref slot.Epoch) != epoch)
        {
            TurnOver(slot, epoch);
        }

        Interlocked.Increment(ref slot.Counts[LatencyHistogram.BucketOf(latency)]);
        Interlocked.Increment(ref slot.Total);
    }

    /// <summary>
    /// The latency below which <paramref name="quantile"/> of the window's records fall (bucket upper bound, so
    /// within 5% above the true value), ms; null when nothing was recorded within the window.
    /// </summary>
    public double? PercentileMs(double quantile)
    {
        var now = CurrentEpoch();
        Span<bool> live = stackalloc bool[SlotCount];
        long total = 0;
        for (var s = 0; s < SlotCount; s++)
        {
            live[s] = IsLive(_slots[s], now);
            if (live[s])
            {
                total += Interlocked.Read(ref _slots[s].Total);
            }
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var bucket = 0; bucket < LatencyHistogram.BucketCount; bucket++)
        {
            for (var s = 0; s < SlotCount; s++)
            {
                if (live[s])
                {
                    seen += Interlocked.Read(ref _slots[s].Counts[bucket]);
                }
            }

            if (seen >= rank)
            {
                return LatencyHistogram.UpperBoundMs(bucket);
            }
        }

        return LatencyHistogram.UpperBoundMs(LatencyHistogram.BucketCount - 1);
    }

    private long CurrentEpoch() => _time.GetTimestamp() / _slotTicks;

    // A slot counts while it belongs to one of the last SlotCount epochs (the current one included).
    private static bool IsLive(Slot slot, long now)
    {
        var epoch = Volatile.Read(ref slot.Epoch);
        return epoch > now - SlotCount && epoch <= now;
    }

    private void TurnOver(Slot slot, long epoch)
    {
        lock (_turnover)
        {
            if (slot.Epoch >= epoch)
            {
                return;
            }

            Array.Clear(slot.Counts);
            Interlocked.Exchange(ref slot.Total, 0);
            Volatile.Write(ref slot.Epoch, epoch);
        }
    }

    private sealed class Slot
    {
        public readonly long[] Counts = new long[LatencyHistogram.BucketCount];
        public long Total;
        public long Epoch;
    }
}
