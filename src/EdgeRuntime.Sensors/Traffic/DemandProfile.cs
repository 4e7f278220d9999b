namespace EdgeRuntime.Sensors.Traffic;

/// <summary>
/// Vehicles per hour for one lane by time of week: weekdays have a morning peak (around 08:00) and a higher evening
/// peak (around 17:15) over a midday plateau; weekends have one broad afternoon hump; nights are quiet.
/// </summary>
public static class DemandProfile
{
    /// <summary>Demand at <paramref name="localTime"/> for a lane of unit scale, vehicles per hour.</summary>
    public static double VehiclesPerHour(DateTimeOffset localTime)
    {
        var hour = localTime.TimeOfDay.TotalHours;
        var weekend = localTime.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        const double night = 40;
        if (weekend)
        {
            return night + Bump(hour, 13.5, 3.5, 520);
        }

        return night + Bump(hour, 8.0, 1.1, 820) + Bump(hour, 17.25, 1.4, 900) + Bump(hour, 12.5, 3.0, 380);
    }

    private static double Bump(double hour, double centre, double width, double height)
    {
        var d = (hour - centre) / width;
        return height * Math.Exp(-0.5 * d * d);
    }
}
