using EdgeRuntime.Core.Learning;

namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// Turns served forecasts into labelled examples: each forecast waits, with its window, until the intervals it
/// forecast have been observed in its stream; the observed target (normalised as the forecast's model normalised it)
/// becomes its label for that horizon. Once the furthest horizon's interval has passed, the example goes to the sink —
/// with weight 0 for any horizon whose interval was never observed. Streams keep at most
/// <see cref="MaxPendingPerStream"/> forecasts waiting (the oldest go out first with what they have), so a stream that
/// stops reporting holds no memory. Thread-safe.
/// </summary>
public sealed class LabelJoiner(ILabelledExampleSink sink) : IForecastObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Pipeline, string Stream), List<Pending>> _pending = [];

    /// <summary>Most forecasts a stream keeps waiting for labels. Default 256.</summary>
    public int MaxPendingPerStream { get; init; } = 256;

    /// <summary>Examples handed to the sink so far.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Forecasts dropped without any observed horizon.</summary>
    public long Unlabelled => Interlocked.Read(ref _unlabelled);

    private long _completed;
    private long _unlabelled;

    /// <inheritdoc />
    public void OnObservation(in TargetObservation observation)
    {
        List<Pending>? done = null;
        lock (_gate)
        {
            if (!_pending.TryGetValue((observation.Pipeline, observation.Stream), out var waiting))
            {
                return;
            }

            for (var i = 0; i < waiting.Count; i++)
            {
                var pending = waiting[i];
                pending.Label(observation.IntervalStart, observation.Value);
                if (observation.IntervalStart >= pending.LastTargetStart)
                {
                    (done ??= []).Add(pending);
                }
            }

            if (done is not null)
            {
                waiting.RemoveAll(done.Contains);
            }
        }

        if (done is not null)
        {
            foreach (var pending in done)
            {
                Emit(pending);
            }
        }
    }

    /// <inheritdoc />
    public void OnForecast(ForecastRecord forecast)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        Pending? evicted = null;
        lock (_gate)
        {
            var key = (forecast.Pipeline, forecast.Stream);
            if (!_pending.TryGetValue(key, out var waiting))
            {
                waiting = [];
                _pending[key] = waiting;
            }

            waiting.Add(new Pending(forecast));
            if (waiting.Count > MaxPendingPerStream)
            {
                evicted = waiting[0];
                waiting.RemoveAt(0);
            }
        }

        if (evicted is not null)
        {
            Emit(evicted);
        }
    }

    private void Emit(Pending pending)
    {
        if (pending.Labelled == 0)
        {
            Interlocked.Increment(ref _unlabelled);
            return;
        }

        var f = pending.Forecast;
        Interlocked.Increment(ref _completed);
        sink.Add(new LabelledExample(f.Pipeline, f.Model, f.ModelVersion, f.Stream, f.IntervalStart, f.IntervalLength, f.Window, pending.Targets, pending.Weights, f.Forecast));
    }

    private sealed class Pending
    {
        public Pending(ForecastRecord forecast)
        {
            Forecast = forecast;
            Targets = new float[forecast.Horizons.Count];
            Weights = new float[forecast.Horizons.Count];
            LastTargetStart = forecast.IntervalStart + (forecast.Horizons.Max() * forecast.IntervalLength);
        }

        public ForecastRecord Forecast { get; }

        public float[] Targets { get; }

        public float[] Weights { get; }

        public DateTimeOffset LastTargetStart { get; }

        public int Labelled { get; private set; }

        public void Label(DateTimeOffset intervalStart, double value)
        {
            var f = Forecast;
            for (var h = 0; h < f.Horizons.Count; h++)
            {
                if (Weights[h] == 0 && f.IntervalStart + (f.Horizons[h] * f.IntervalLength) == intervalStart)
                {
                    Targets[h] = (float)((value - f.TargetMean) / f.TargetStd);
                    Weights[h] = 1;
                    Labelled++;
                }
            }
        }
    }
}
