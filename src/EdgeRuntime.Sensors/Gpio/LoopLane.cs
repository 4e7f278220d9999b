namespace EdgeRuntime.Sensors.Gpio;

/// <summary>
/// One lane's loops: a leading loop, and optionally a trailing loop downstream of it in the same lane, which makes
/// speeds and vehicle lengths measurable (a speed trap).
/// </summary>
public sealed class LoopLane
{
    /// <summary>The lane's name in results ("north-1"). Required.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>GPIO line of the leading loop's detector output (high while a vehicle is over it).</summary>
    public int LeadPin { get; set; } = -1;

    /// <summary>GPIO line of the trailing loop, or -1 when the lane has a single loop (no speeds).</summary>
    public int TrailPin { get; set; } = -1;

    /// <summary>Distance from the leading edge of the lead loop to the leading edge of the trailing loop, metres. Default 5.</summary>
    public double LoopSpacingMeters { get; set; } = 5.0;

    /// <summary>Length of each loop along the lane, metres (a vehicle covers it for (length + loop) / speed). Default 2.</summary>
    public double LoopLengthMeters { get; set; } = 2.0;

    /// <summary>Whether the lane has a trailing loop.</summary>
    public bool HasSpeedTrap => TrailPin >= 0;
}
