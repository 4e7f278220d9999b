namespace EdgeRuntime.Sensors.Gpio;

/// <summary>One vehicle over one loop: from <see cref="On"/> until <see cref="Off"/> (null while still over it).</summary>
/// <param name="On">When the loop detected the vehicle, since the source started.</param>
/// <param name="Off">When the loop released it, or null while the vehicle is still over the loop.</param>
public readonly record struct LoopOccupancy(TimeSpan On, TimeSpan? Off)
{
    /// <summary>Time covered within [<paramref name="start"/>, <paramref name="end"/>), counting an open occupancy up to <paramref name="now"/>.</summary>
    public TimeSpan CoveredWithin(TimeSpan start, TimeSpan end, TimeSpan now)
    {
        var from = On > start ? On : start;
        var until = Off ?? now;
        if (until > end)
        {
            until = end;
        }

        return until > from ? until - from : TimeSpan.Zero;
    }
}
