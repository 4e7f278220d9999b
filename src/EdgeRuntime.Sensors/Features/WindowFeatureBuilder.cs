using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Features;

/// <summary>
/// Keeps each stream's last N intervals and turns them into a model input window: N rows (oldest first) of the
/// spec's metrics normalised by its mean and standard deviation, each followed by time-of-day and day-of-week
/// encodings and, when the spec has a <see cref="FeatureSpec.Profile"/>, the stream's seasonal profile of the target
/// (<see cref="SeasonalProfile"/>, updated with each interval before its row is built). A metric absent from an
/// interval (no vehicle crossed both loops) repeats the stream's last value, or the mean before there is one. Until a
/// stream has N intervals its window repeats its oldest one and says so. Serving and training build windows with this
/// one class, so a model trains on exactly what it will be fed. Thread-safe.
/// </summary>
public sealed class WindowFeatureBuilder(FeatureSpec spec)
{
    private readonly int _target = spec.Metrics.IndexOf(spec.Target);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StreamHistory> _streams = new(StringComparer.Ordinal);

    /// <summary>The spec in use.</summary>
    public FeatureSpec Spec { get; } = spec;

    /// <summary>Adds the interval and returns the stream's window ([Window × RowWidth], row-major).</summary>
    public FeatureWindow Add(IntervalSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var width = Spec.RowWidth;
        var window = new float[Spec.Window * width];
        lock (_gate)
        {
            if (!_streams.TryGetValue(sample.Stream, out var history))
            {
                history = new StreamHistory(Spec.Window, width, Spec.Metrics.Count, Spec.Profile);
                _streams[sample.Stream] = history;
            }

            var row = history.NextRow();
            for (var m = 0; m < Spec.Metrics.Count; m++)
            {
                var raw = sample.Values.TryGetValue(Spec.Metrics[m], out var v) ? v : history.Last[m] ?? Spec.Mean[m];
                history.Last[m] = raw;
                row[m] = (float)((raw - Spec.Mean[m]) / Spec.Std[m]);
            }

            if (Spec.TimeEncoding)
            {
                Encode(sample.Time, row[Spec.Metrics.Count..]);
            }

            if (history.Profile is { } profile)
            {
                AddProfileColumns(profile, sample, history.Last[_target]!.Value, row[Spec.ProfileColumn..]);
            }

            // Oldest row first; until the window is full its oldest row stands in for the ones not seen yet.
            var have = history.Filled;
            var missing = Spec.Window - have;
            for (var r = 0; r < Spec.Window; r++)
            {
                history.Row(Math.Max(0, r - missing)).CopyTo(window.AsSpan(r * width, width));
            }

            return new FeatureWindow(window, Filled: have, Warmup: missing > 0, this);
        }
    }

    /// <summary>Turns a normalised value of the target metric back into its unit.</summary>
    public double Denormalise(float value) => (value * Spec.Std[_target]) + Spec.Mean[_target];

    /// <summary>Normalises a value of the target metric as the model sees it.</summary>
    public float Normalise(double value) => (float)((value - Spec.Mean[_target]) / Spec.Std[_target]);

    /// <summary>The streams seen so far.</summary>
    public IReadOnlyList<string> Streams
    {
        get
        {
            lock (_gate)
            {
                return [.. _streams.Keys];
            }
        }
    }

    /// <summary>A copy of <paramref name="stream"/>'s seasonal profile state (means then counts), or null.</summary>
    public double[]? SaveProfile(string stream)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(stream, out var history) || history.Profile is not { } profile)
            {
                return null;
            }

            var state = new double[2 * profile.Spec.Bins];
            profile.Save(state.AsSpan(0, profile.Spec.Bins), state.AsSpan(profile.Spec.Bins));
            return state;
        }
    }

    /// <summary>Restores a profile saved by <see cref="SaveProfile"/> (ignored when its size does not fit the spec).</summary>
    public bool RestoreProfile(string stream, ReadOnlySpan<double> state)
    {
        if (Spec.Profile is not { } spec || state.Length != 2 * spec.Bins)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_streams.TryGetValue(stream, out var history))
            {
                history = new StreamHistory(Spec.Window, Spec.RowWidth, Spec.Metrics.Count, Spec.Profile);
                _streams[stream] = history;
            }

            history.Profile!.Restore(state[..spec.Bins], state[spec.Bins..]);
            return true;
        }
    }

    // The profile learns from this interval first, then the row reads it at its own time and each offset ahead.
    private void AddProfileColumns(SeasonalProfile profile, IntervalSample sample, double target, Span<float> columns)
    {
        if (sample.Values.TryGetValue(Spec.Target, out var observed))
        {
            profile.Observe(sample.Time, sample.Length, observed);
        }

        var offsets = profile.Spec.Offsets;
        for (var i = 0; i < offsets.Count; i++)
        {
            var value = profile.Value(sample.Time + (offsets[i] * sample.Length)) ?? target;
            columns[i] = Normalise(value);
        }

        columns[offsets.Count] = (float)Math.Min(1.0, profile.Coverage(sample.Time, sample.Length));
    }

    /// <summary>sin/cos of the time of day and of the day of week (Monday = 0).</summary>
    public static void Encode(DateTimeOffset time, Span<float> into)
    {
        var day = time.TimeOfDay.TotalDays * 2 * Math.PI;
        var week = ((((int)time.DayOfWeek + 6) % 7) + time.TimeOfDay.TotalDays) / 7.0 * 2 * Math.PI;
        into[0] = (float)Math.Sin(day);
        into[1] = (float)Math.Cos(day);
        into[2] = (float)Math.Sin(week);
        into[3] = (float)Math.Cos(week);
    }

    // The last Window rows of one stream in a ring, so that a new interval allocates nothing.
    private sealed class StreamHistory(int window, int width, int metrics, SeasonalProfileSpec? profile)
    {
        private readonly float[] _rows = new float[window * width];
        private int _next;

        public int Filled { get; private set; }

        public double?[] Last { get; } = new double?[metrics];

        public SeasonalProfile? Profile { get; } = profile is null ? null : new SeasonalProfile(profile);

        /// <summary>The slot for the newest row (overwriting the oldest once full).</summary>
        public Span<float> NextRow()
        {
            var row = _rows.AsSpan(_next * width, width);
            _next = (_next + 1) % window;
            Filled = Math.Min(window, Filled + 1);
            return row;
        }

        /// <summary>Row <paramref name="age"/> of the ones kept, 0 being the oldest.</summary>
        public ReadOnlySpan<float> Row(int age)
        {
            var slot = (_next - Filled + age + window) % window;
            return _rows.AsSpan(slot * width, width);
        }
    }
}

/// <summary>A model input window.</summary>
/// <param name="Values">Window × RowWidth values, oldest row first.</param>
/// <param name="Filled">How many real intervals it holds.</param>
/// <param name="Warmup">True while fewer than Window intervals were seen (the oldest is repeated).</param>
/// <param name="Builder">The builder that made it, whose spec turns the model's forecast back into its unit.</param>
public sealed record FeatureWindow(float[] Values, int Filled, bool Warmup, WindowFeatureBuilder Builder);
