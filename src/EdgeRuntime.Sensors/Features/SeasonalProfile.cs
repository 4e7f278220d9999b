namespace EdgeRuntime.Sensors.Features;

/// <summary>
/// One stream's running mean of a value by bin of a repeating period (<see cref="SeasonalProfileSpec"/>). Each bin
/// is a mean whose weight is capped at <c>Memory</c> periods' worth of observations, so it follows slow change and
/// forgets old periods at rate 1/cap per observation. Not thread-safe (the feature builder locks).
/// </summary>
public sealed class SeasonalProfile(SeasonalProfileSpec spec)
{
    private readonly double[] _mean = new double[spec.Bins];
    private readonly double[] _count = new double[spec.Bins];
    private readonly long _binTicks = Math.Max(1, spec.PeriodLength.Ticks / spec.Bins);

    /// <summary>The spec.</summary>
    public SeasonalProfileSpec Spec { get; } = spec;

    /// <summary>Adds the value observed over the interval starting at <paramref name="time"/>.</summary>
    /// <param name="time">Interval start.</param>
    /// <param name="length">Interval length: a bin takes <c>bin length / interval length</c> observations a period.</param>
    /// <param name="value">The observed value.</param>
    public void Observe(DateTimeOffset time, TimeSpan length, double value)
    {
        var bin = Bin(time);
        var cap = Cap(length);
        _count[bin] = Math.Min(_count[bin] + 1, cap);
        _mean[bin] += (value - _mean[bin]) / _count[bin];
    }

    /// <summary>The count-weighted mean of the bins around <paramref name="time"/>'s bin, or null when none was seen.</summary>
    public double? Value(DateTimeOffset time)
    {
        var centre = Bin(time);
        double sum = 0, weight = 0;
        for (var offset = -Spec.Smooth; offset <= Spec.Smooth; offset++)
        {
            var bin = (centre + offset + Spec.Bins) % Spec.Bins;
            sum += _count[bin] * _mean[bin];
            weight += _count[bin];
        }

        return weight > 0 ? sum / weight : null;
    }

    /// <summary>How full the bin of <paramref name="time"/> is: 0 never seen, 1 <c>Memory</c> periods seen.</summary>
    public double Coverage(DateTimeOffset time, TimeSpan length) => _count[Bin(time)] / Cap(length);

    /// <summary>The bin of <paramref name="time"/>: its position in the period (local to its own offset).</summary>
    public int Bin(DateTimeOffset time)
    {
        var local = time.DateTime;
        var sincePeriodStart = Spec.Period == SeasonalPeriod.Week
            ? TimeSpan.FromDays(((int)local.DayOfWeek + 6) % 7) + local.TimeOfDay
            : local.TimeOfDay;
        return (int)Math.Min(Spec.Bins - 1, sincePeriodStart.Ticks / _binTicks);
    }

    /// <summary>Copies the state out (means then counts, Bins each), for persistence.</summary>
    public void Save(Span<double> means, Span<double> counts)
    {
        _mean.CopyTo(means);
        _count.CopyTo(counts);
    }

    /// <summary>Restores state saved by <see cref="Save"/>.</summary>
    public void Restore(ReadOnlySpan<double> means, ReadOnlySpan<double> counts)
    {
        means.CopyTo(_mean);
        counts.CopyTo(_count);
    }

    // Observations one bin gets in Memory periods: a 5-minute bin fed 10-second intervals sees 30 a day.
    private double Cap(TimeSpan length) => Spec.Memory * Math.Max(1.0, (double)_binTicks / Math.Max(1, length.Ticks));
}
