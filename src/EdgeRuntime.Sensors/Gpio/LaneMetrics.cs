namespace EdgeRuntime.Sensors.Gpio;

/// <summary>The metric names of a lane's interval aggregates, as they appear in samples and results.</summary>
public static class LaneMetrics
{
    /// <summary>Vehicles that entered the lead loop in the interval.</summary>
    public const string Count = "count";

    /// <summary>Share of the interval the lead loop was covered, 0..1.</summary>
    public const string Occupancy = "occupancy";

    /// <summary>Mean speed of the interval's vehicles that crossed both loops, km/h; absent when none did.</summary>
    public const string SpeedKmh = "speedKmh";

    /// <summary>Mean gap between a vehicle's arrival and the previous one's departure on the lead loop, s.</summary>
    public const string GapSeconds = "gapSeconds";

    /// <summary>Vehicles classed short by their measured length.</summary>
    public const string ShortVehicles = "short";

    /// <summary>Vehicles classed medium.</summary>
    public const string MediumVehicles = "medium";

    /// <summary>Vehicles classed long.</summary>
    public const string LongVehicles = "long";
}
