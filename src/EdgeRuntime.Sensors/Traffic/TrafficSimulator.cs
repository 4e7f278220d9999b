using EdgeRuntime.Sensors.Gpio;

namespace EdgeRuntime.Sensors.Traffic;

/// <summary>
/// Generates the vehicles of one intersection and the loop-detector transitions they cause, in time order. Arrivals
/// per lane are Poisson at the demand profile's rate (scaled per intersection and lane), a share of them platoons
/// with short headways; speeds fall as demand nears capacity and collapse during incidents, which also cut the
/// lane's throughput; lengths are a car / van / truck mix. A vehicle keeps at least a quarter second behind the one
/// in front. Deterministic for a seed and start time. Not thread-safe.
/// </summary>
public sealed class TrafficSimulator
{
    private static readonly TimeSpan Lookahead = TimeSpan.FromSeconds(10);
    private readonly TrafficScenario _scenario;
    private readonly DateTimeOffset _start;
    private readonly LaneState[] _lanes;
    private readonly PriorityQueue<PinTransition, (TimeSpan, long)> _pending = new();
    private long _sequence;

    /// <summary>Creates the simulator for <paramref name="lanes"/>, its clock at <paramref name="start"/>.</summary>
    public TrafficSimulator(IReadOnlyList<LoopLane> lanes, TrafficScenario scenario, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _start = start;
        var random = new Random(scenario.Seed);
        var scale = scenario.DemandScale > 0 ? scenario.DemandScale : 0.6 + (0.8 * random.NextDouble());
        _lanes = new LaneState[lanes.Count];
        for (var i = 0; i < lanes.Count; i++)
        {
            // Not HashCode.Combine: it is seeded per process, and the same seed must give the same traffic everywhere.
            _lanes[i] = new LaneState(i, lanes[i], new Random(unchecked((scenario.Seed * 7919) + i)))
            {
                DemandFactor = scale * (1.0 - (0.12 * i)) * (0.9 + (0.2 * random.NextDouble())),
                FreeSpeedKmh = 45 + (15 * random.NextDouble()),
            };
        }

        // The first vehicle of each lane comes after a gap drawn at the demand of the start time, as any later one.
        foreach (var lane in _lanes)
        {
            var rate = Math.Max(1.0, DemandProfile.VehiclesPerHour(start) * lane.DemandFactor) / 3600.0;
            lane.NextArrival = TimeSpan.FromSeconds(-Math.Log(1.0 - lane.Random.NextDouble()) / rate);
        }

        DemandScale = scale;
    }

    /// <summary>The intersection's demand multiplier (from the scenario or the seed).</summary>
    public double DemandScale { get; }

    /// <summary>Raised for every vehicle as it is generated (ahead of its transitions).</summary>
    public event Action<SimulatedVehicle>? VehicleGenerated;

    /// <summary>The time of the next transition, generating vehicles as needed.</summary>
    public TimeSpan NextTransitionAt()
    {
        Generate(_pending.Count == 0 ? Earliest() + Lookahead : _pending.Peek().At + Lookahead);
        return _pending.Peek().At;
    }

    /// <summary>Removes and returns the transitions due by <paramref name="until"/>, in time order.</summary>
    public List<PinTransition> TakeUntil(TimeSpan until)
    {
        Generate(until + Lookahead);
        var due = new List<PinTransition>();
        while (_pending.Count > 0 && _pending.Peek().At <= until)
        {
            due.Add(_pending.Dequeue());
        }

        return due;
    }

    private TimeSpan Earliest() => _lanes.Min(l => l.NextArrival);

    private void Generate(TimeSpan horizon)
    {
        foreach (var lane in _lanes)
        {
            while (lane.NextArrival <= horizon)
            {
                EmitVehicle(lane);
            }
        }
    }

    private void EmitVehicle(LaneState lane)
    {
        var random = lane.Random;
        var arrival = lane.NextArrival;
        var at = CrossingTime(lane, arrival);
        var local = _start + at;
        var incident = lane.IncidentFactor(at, _scenario.IncidentsPerLanePerDay);
        var demand = DemandProfile.VehiclesPerHour(local) * lane.DemandFactor;
        var capacity = _scenario.LaneCapacityPerHour * incident;
        var load = Math.Min(1.0, demand / _scenario.LaneCapacityPerHour);
        var speed = lane.FreeSpeedKmh * (1.0 - (0.45 * load * load)) * (incident < 1 ? 0.3 : 1.0) * (1.0 + (0.08 * Gaussian(random)));
        speed = Math.Max(5.0, speed);
        var length = random.NextDouble() switch
        {
            < 0.80 => 4.5 + (0.4 * Gaussian(random)),
            < 0.93 => 6.5 + (3.5 * random.NextDouble()),
            _ => 12.5 + (5.5 * random.NextDouble()),
        };
        length = Math.Max(2.5, length);

        var metresPerSecond = speed / 3.6;
        var onLoop = TimeSpan.FromSeconds((length + lane.Loop.LoopLengthMeters) / metresPerSecond);
        Push(at, lane.Loop.LeadPin, true);
        Push(at + onLoop, lane.Loop.LeadPin, false);
        if (lane.Loop.HasSpeedTrap)
        {
            var reach = at + TimeSpan.FromSeconds(lane.Loop.LoopSpacingMeters / metresPerSecond);
            Push(reach, lane.Loop.TrailPin, true);
            Push(reach + onLoop, lane.Loop.TrailPin, false);
        }

        VehicleGenerated?.Invoke(new SimulatedVehicle(lane.Index, at, speed, length));

        // Next arrival: within a platoon a short headway, otherwise Poisson at the demand rate (never above what the
        // lane can carry now), and never closer than a quarter second behind this vehicle's tail.
        TimeSpan headway;
        if (lane.PlatoonLeft > 0)
        {
            lane.PlatoonLeft--;
            headway = TimeSpan.FromSeconds(1.4 + (0.8 * random.NextDouble()));
        }
        else
        {
            var rate = Math.Max(1.0, Math.Min(demand, capacity)) / 3600.0;
            headway = TimeSpan.FromSeconds(-Math.Log(1.0 - random.NextDouble()) / rate);
            if (random.NextDouble() < _scenario.PlatoonShare)
            {
                lane.PlatoonLeft = random.Next(1, 6);
            }
        }

        // Arrivals follow demand whatever the signal shows; a queue only delays when they cross the loops.
        var next = arrival + headway;
        var earliest = (_scenario.SignalCycleSeconds > 0 ? arrival : at + onLoop) + TimeSpan.FromSeconds(0.25);
        lane.NextArrival = next > earliest ? next : earliest;
        lane.NextDischarge = at + TimeSpan.FromSeconds(Math.Max(_scenario.SaturationHeadwaySeconds, (onLoop + TimeSpan.FromSeconds(0.25)).TotalSeconds));
    }

    // Without a signal a vehicle crosses when it arrives. With one, it crosses at the first moment of green that is
    // no earlier than its arrival and one saturation headway after the vehicle ahead (a queue discharging).
    private TimeSpan CrossingTime(LaneState lane, TimeSpan arrival)
    {
        var cycle = _scenario.SignalCycleSeconds;
        if (cycle <= 0)
        {
            return arrival;
        }

        var at = arrival > lane.NextDischarge ? arrival : lane.NextDischarge;
        var cycleTicks = (long)Math.Round(cycle * TimeSpan.TicksPerSecond);
        var greenTicks = (long)(cycleTicks * Math.Clamp(_scenario.GreenShare, 0.05, 1.0));
        var intoCycle = at.Ticks % cycleTicks;
        return intoCycle < greenTicks ? at : TimeSpan.FromTicks(at.Ticks - intoCycle + cycleTicks);
    }

    private void Push(TimeSpan at, int pin, bool high) => _pending.Enqueue(new PinTransition(at, pin, high), (at, _sequence++));

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private sealed class LaneState(int index, LoopLane loop, Random random)
    {
        private TimeSpan _incidentChecked;
        private TimeSpan _incidentEnds = TimeSpan.MinValue;

        public int Index { get; } = index;

        public LoopLane Loop { get; } = loop;

        public Random Random { get; } = random;

        public double DemandFactor { get; init; }

        public double FreeSpeedKmh { get; init; }

        public TimeSpan NextArrival { get; set; }

        public int PlatoonLeft { get; set; }

        public TimeSpan NextDischarge { get; set; } = TimeSpan.MinValue;

        // Incidents start as a Poisson process checked minute by minute; during one the lane keeps 0–50% of capacity.
        public double IncidentFactor(TimeSpan at, double perDay)
        {
            while (_incidentChecked + TimeSpan.FromMinutes(1) <= at)
            {
                _incidentChecked += TimeSpan.FromMinutes(1);
                if (_incidentChecked > _incidentEnds && Random.NextDouble() < perDay / 1440.0)
                {
                    _incidentEnds = _incidentChecked + TimeSpan.FromMinutes(10 + (20 * Random.NextDouble()));
                    CapacityLeft = 0.5 * Random.NextDouble();
                }
            }

            return at < _incidentEnds ? Math.Max(0.05, CapacityLeft) : 1.0;
        }

        private double CapacityLeft { get; set; } = 1.0;
    }
}
