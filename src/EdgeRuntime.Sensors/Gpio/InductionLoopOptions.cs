namespace EdgeRuntime.Sensors.Gpio;

/// <summary>How a set of induction loops is read and aggregated.</summary>
public sealed class InductionLoopOptions
{
    /// <summary>The lanes and their pins. At least one.</summary>
    public List<LoopLane> Lanes { get; set; } = [];

    /// <summary>Aggregation interval, aligned to the wall clock (10 s intervals close at :00, :10, …). Default 60 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Minimum on and off time of a detection; shorter pulses are spikes, shorter releases chatter. Default 40 ms.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(40);

    /// <summary>How long after an interval's end it is closed, so vehicles that entered just before reach the trailing loop. Default 2 s.</summary>
    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest lead→trail time that still counts as one vehicle (2 s over 5 m is 9 km/h). Default 2 s.</summary>
    public TimeSpan MaxTravel { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Vehicle length classes.</summary>
    public VehicleClasses Classes { get; set; } = new();
}
