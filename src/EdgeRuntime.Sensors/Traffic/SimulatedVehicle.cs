namespace EdgeRuntime.Sensors.Traffic;

/// <summary>One vehicle the simulator sent down a lane (for tests and diagnostics).</summary>
/// <param name="Lane">Lane index.</param>
/// <param name="ArrivesAt">When its front reaches the lead loop, since start.</param>
/// <param name="SpeedKmh">Its speed over the loops.</param>
/// <param name="LengthMeters">Its length.</param>
public readonly record struct SimulatedVehicle(int Lane, TimeSpan ArrivesAt, double SpeedKmh, double LengthMeters);
