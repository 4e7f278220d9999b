namespace EdgeRuntime.Sensors.Features;

/// <summary>The period a <see cref="SeasonalProfile"/> repeats over.</summary>
public enum SeasonalPeriod
{
    /// <summary>Time of day (midnight to midnight, in the samples' own offset).</summary>
    Day,

    /// <summary>Time of week, Monday 00:00 first.</summary>
    Week,
}

/// <summary>
/// Columns a forecasting window carries from each stream's own seasonal profile of the target metric: a running mean
/// by time of day (or week), learned on the device from what the stream has shown. For each row it adds the profile's
/// value at the row's time plus each of <see cref="Offsets"/> intervals (normalised like the target), then the
/// profile's coverage at the row's time (0 = never seen, 1 = <see cref="Memory"/> full periods seen). Where the
/// profile has not seen a bin yet, the value is the row's own target value, so the model reads "no information".
/// </summary>
/// <remarks>
/// Why: a recurring daily pattern is what a short window cannot know. On the Los Angeles loop data a per-sensor
/// time-of-day mean alone beats repeating the last value by 13% an hour ahead (docs/learning.md); the profile gives a
/// model that per-stream knowledge without a per-stream parameter, so one model serves any stream and a new stream
/// learns its own pattern as it runs.
/// </remarks>
public sealed class SeasonalProfileSpec
{
    /// <summary>The period. Default <see cref="SeasonalPeriod.Day"/>.</summary>
    public SeasonalPeriod Period { get; set; } = SeasonalPeriod.Day;

    /// <summary>Bins per period (288 = 5-minute bins over a day). Default 288.</summary>
    public int Bins { get; set; } = 288;

    /// <summary>How many periods the running mean remembers (older periods fade out). Default 7.</summary>
    public double Memory { get; set; } = 7;

    /// <summary>Neighbouring bins on each side averaged into a query (count-weighted). Default 2.</summary>
    public int Smooth { get; set; } = 2;

    /// <summary>Intervals ahead of each row's time at which the profile is read; 0 is the row's own time. Default [0].</summary>
    public List<int> Offsets { get; set; } = [0];

    /// <summary>Columns the profile adds to each row: one per offset, then the coverage.</summary>
    public int Columns => Offsets.Count + 1;

    /// <summary>Length of the period.</summary>
    public TimeSpan PeriodLength => Period == SeasonalPeriod.Week ? TimeSpan.FromDays(7) : TimeSpan.FromDays(1);

    /// <summary>What is wrong with the spec, or null.</summary>
    public string? Check()
    {
        if (Bins is < 1 or > 100_000)
        {
            return $"profile bins {Bins} is outside 1..100000";
        }

        if (!(Memory >= 1) || !double.IsFinite(Memory))
        {
            return $"profile memory {Memory} must be at least 1 period";
        }

        if (Smooth < 0 || (2 * Smooth) + 1 > Bins)
        {
            return $"profile smoothing {Smooth} must be 0..{(Bins - 1) / 2}";
        }

        if (Offsets.Count == 0 || Offsets.Any(o => o is < 0 or > 100_000))
        {
            return "profile offsets must be one or more interval counts in 0..100000";
        }

        return null;
    }
}
