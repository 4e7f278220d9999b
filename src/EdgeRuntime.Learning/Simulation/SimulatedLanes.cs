using EdgeRuntime.Sensors.Gpio;

namespace EdgeRuntime.Learning.Simulation;

/// <summary>The four-lane intersection of the shipped configuration (configs/edge-runtime.json), for training data.</summary>
public static class SimulatedLanes
{
    /// <summary>Lanes north-1, north-2, south-1, south-2 (lead and trailing loops 5 m apart, 2 m long), 10-second intervals.</summary>
    public static InductionLoopOptions Intersection(TimeSpan? interval = null) => new()
    {
        Lanes =
        [
            new LoopLane { Name = "north-1", LeadPin = 0, TrailPin = 1 },
            new LoopLane { Name = "north-2", LeadPin = 2, TrailPin = 3 },
            new LoopLane { Name = "south-1", LeadPin = 4, TrailPin = 5 },
            new LoopLane { Name = "south-2", LeadPin = 6, TrailPin = 7 },
        ],
        Interval = interval ?? TimeSpan.FromSeconds(10),
        Debounce = TimeSpan.FromMilliseconds(40),
        Settle = TimeSpan.FromSeconds(2),
        MaxTravel = TimeSpan.FromSeconds(2),
    };
}
