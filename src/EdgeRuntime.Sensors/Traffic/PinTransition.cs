namespace EdgeRuntime.Sensors.Traffic;

/// <summary>A loop detector output changing level at a simulated time since the simulation started.</summary>
/// <param name="At">Simulated time since start.</param>
/// <param name="Pin">The GPIO line.</param>
/// <param name="High">The new level.</param>
public readonly record struct PinTransition(TimeSpan At, int Pin, bool High);
