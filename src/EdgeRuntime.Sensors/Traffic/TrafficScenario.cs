namespace EdgeRuntime.Sensors.Traffic;

/// <summary>
/// What a simulated intersection looks like. Two devices with different seeds see different traffic (demand level,
/// lane split, free speeds, incident times), so a fleet of simulated devices is non-IID the way real ones are.
/// </summary>
public sealed class TrafficScenario
{
    /// <summary>Seed of every random choice; the same seed and start time give the same vehicles. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Multiplies the demand profile; 0 picks 0.6–1.4 from the seed (per-intersection difference). Default 0.</summary>
    public double DemandScale { get; set; }

    /// <summary>Simulated local time at start; null uses the real clock (UTC). A fixed start replays the same day.</summary>
    public DateTimeOffset? StartAt { get; set; }

    /// <summary>Share of arrivals that come as a platoon released by an upstream signal. Default 0.3.</summary>
    public double PlatoonShare { get; set; } = 0.3;

    /// <summary>Expected incidents per lane per day; each cuts the lane's capacity for 10–30 minutes. Default 1.</summary>
    public double IncidentsPerLanePerDay { get; set; } = 1.0;

    /// <summary>Capacity of a lane without incidents, vehicles per hour. Default 1800.</summary>
    public double LaneCapacityPerHour { get; set; } = 1800;

    /// <summary>
    /// Cycle of a fixed-time signal at the loops' stop line, seconds; 0 (the default) for none. With a signal, vehicles
    /// that reach the line on red wait and cross from the start of green one saturation headway
    /// (<see cref="SaturationHeadwaySeconds"/>) apart — the periodic platoons of a signalised intersection.
    /// </summary>
    public double SignalCycleSeconds { get; set; }

    /// <summary>Share of the cycle that is green. Default 0.5.</summary>
    public double GreenShare { get; set; } = 0.5;

    /// <summary>Time between queued vehicles crossing the line at the start of green, seconds. Default 2 (1800 vehicles/h).</summary>
    public double SaturationHeadwaySeconds { get; set; } = 2.0;

    /// <summary>A copy with <paramref name="seed"/>, leaving the configured scenario as it was.</summary>
    public TrafficScenario WithSeed(int seed)
    {
        var copy = (TrafficScenario)MemberwiseClone();
        copy.Seed = seed;
        return copy;
    }
}
