namespace EdgeRuntime.Sensors.Gpio;

/// <summary>Length classes for vehicles measured by a speed trap, in metres (FHWA-style short / medium / long).</summary>
public sealed class VehicleClasses
{
    /// <summary>Longest "short" vehicle (cars, motorcycles). Default 6 m.</summary>
    public double ShortMaxMeters { get; set; } = 6.0;

    /// <summary>Longest "medium" vehicle (vans, light trucks); longer ones are "long" (trucks, buses). Default 12 m.</summary>
    public double MediumMaxMeters { get; set; } = 12.0;

    /// <summary>The class name of a vehicle of <paramref name="meters"/>.</summary>
    public string Classify(double meters) =>
        meters <= ShortMaxMeters ? LaneMetrics.ShortVehicles : meters <= MediumMaxMeters ? LaneMetrics.MediumVehicles : LaneMetrics.LongVehicles;
}
