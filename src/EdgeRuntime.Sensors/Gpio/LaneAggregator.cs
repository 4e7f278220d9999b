namespace EdgeRuntime.Sensors.Gpio;

/// <summary>
/// One lane's vehicles and their per-interval aggregates. A vehicle belongs to the interval in which it entered the
/// lead loop; its speed is the loop spacing over the time between its arrivals at the two loops, and its length is
/// speed × time over the lead loop − the loop's length. Edges arrive from the GPIO callbacks, intervals are closed
/// by the source a settle time after they end, so a vehicle that entered just before the end has reached the
/// trailing loop. Not thread-safe: the owning source serialises calls.
/// </summary>
public sealed class LaneAggregator
{
    private readonly LoopLane _lane;
    private readonly VehicleClasses _classes;
    private readonly TimeSpan _maxTravel;
    private readonly LoopEdgeFilter _lead;
    private readonly LoopEdgeFilter _trail;
    private readonly List<LoopOccupancy> _leadDone = [];
    private readonly List<LoopOccupancy> _trailDone = [];

    /// <summary>Creates the lane; <paramref name="maxTravel"/> bounds the lead→trail time that still pairs (slowest speed).</summary>
    public LaneAggregator(LoopLane lane, TimeSpan debounce, VehicleClasses classes, TimeSpan maxTravel)
    {
        _lane = lane;
        _classes = classes;
        _maxTravel = maxTravel;
        _lead = new LoopEdgeFilter(debounce);
        _trail = new LoopEdgeFilter(debounce);
    }

    /// <summary>The lane.</summary>
    public LoopLane Lane => _lane;

    /// <summary>Detections dropped as spikes and releases merged as chatter, both loops together.</summary>
    public (long Spikes, long Bounces) Filtered => (_lead.SpikesDropped + _trail.SpikesDropped, _lead.BouncesMerged + _trail.BouncesMerged);

    /// <summary>A raw edge from one of the lane's loops.</summary>
    public void Edge(bool leadLoop, bool rising, TimeSpan at)
    {
        var (filter, done) = leadLoop ? (_lead, _leadDone) : (_trail, _trailDone);
        if (rising)
        {
            if (filter.Rise(at) is { } finished)
            {
                done.Add(finished);
            }
        }
        else
        {
            filter.Fall(at);
        }
    }

    /// <summary>
    /// The aggregates of [<paramref name="start"/>, <paramref name="end"/>) as seen at <paramref name="now"/> (≥ end),
    /// then forgets what no later interval needs.
    /// </summary>
    public Dictionary<string, double> Close(TimeSpan start, TimeSpan end, TimeSpan now)
    {
        Settle(_lead, _leadDone, now);
        Settle(_trail, _trailDone, now);
        var lead = WithOpen(_leadDone, _lead);
        var trail = WithOpen(_trailDone, _trail);

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var length = (end - start).TotalSeconds;
        var covered = TimeSpan.Zero;
        foreach (var vehicle in lead)
        {
            covered += vehicle.CoveredWithin(start, end, now);
        }

        values[LaneMetrics.Occupancy] = Math.Min(1.0, covered.TotalSeconds / length);

        var count = 0;
        var speeds = new List<double>();
        var gaps = new List<double>();
        var classes = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [LaneMetrics.ShortVehicles] = 0,
            [LaneMetrics.MediumVehicles] = 0,
            [LaneMetrics.LongVehicles] = 0,
        };
        var trailIndex = 0;
        for (var i = 0; i < lead.Count; i++)
        {
            var vehicle = lead[i];
            var nextArrival = i + 1 < lead.Count ? lead[i + 1].On : TimeSpan.MaxValue;
            while (trailIndex < trail.Count && trail[trailIndex].On <= vehicle.On)
            {
                trailIndex++;
            }

            TimeSpan? travel = null;
            if (trailIndex < trail.Count && trail[trailIndex].On < nextArrival && trail[trailIndex].On - vehicle.On <= _maxTravel)
            {
                travel = trail[trailIndex].On - vehicle.On;
                trailIndex++;
            }

            if (vehicle.On < start || vehicle.On >= end)
            {
                continue;
            }

            count++;
            if (i > 0 && lead[i - 1].Off is { } previousOff)
            {
                gaps.Add((vehicle.On - previousOff).TotalSeconds);
            }

            if (_lane.HasSpeedTrap && travel is { } t && t > TimeSpan.Zero)
            {
                var metresPerSecond = _lane.LoopSpacingMeters / t.TotalSeconds;
                speeds.Add(metresPerSecond * 3.6);
                if (vehicle.Off is { } off)
                {
                    var meters = (metresPerSecond * (off - vehicle.On).TotalSeconds) - _lane.LoopLengthMeters;
                    classes[_classes.Classify(meters)]++;
                }
            }
        }

        values[LaneMetrics.Count] = count;
        if (speeds.Count > 0)
        {
            values[LaneMetrics.SpeedKmh] = speeds.Average();
        }

        if (gaps.Count > 0)
        {
            values[LaneMetrics.GapSeconds] = gaps.Average();
        }

        if (_lane.HasSpeedTrap)
        {
            foreach (var (name, n) in classes)
            {
                values[name] = n;
            }
        }

        Forget(end);
        return values;
    }

    private static void Settle(LoopEdgeFilter filter, List<LoopOccupancy> done, TimeSpan now)
    {
        if (filter.Settle(now) is { } finished)
        {
            done.Add(finished);
        }
    }

    private static List<LoopOccupancy> WithOpen(List<LoopOccupancy> done, LoopEdgeFilter filter)
    {
        var all = new List<LoopOccupancy>(done.Count + 1);
        all.AddRange(done);
        if (filter.Open is { } open)
        {
            all.Add(open);
        }

        return all;
    }

    // Keep the last vehicle that entered before the end (the next vehicle's gap and pairing bound need it) and
    // everything after; trailing detections before that vehicle can no longer pair with anything reported later.
    private void Forget(TimeSpan end)
    {
        var lastBefore = _leadDone.FindLastIndex(v => v.On < end);
        if (lastBefore > 0)
        {
            _leadDone.RemoveRange(0, lastBefore);
        }

        if (_leadDone.Count > 0)
        {
            var keepFrom = _leadDone[0].On;
            _trailDone.RemoveAll(t => t.On <= keepFrom - _maxTravel);
        }
    }
}
