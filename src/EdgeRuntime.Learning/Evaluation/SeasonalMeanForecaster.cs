using EdgeRuntime.Learning.Data;
using EdgeRuntime.Sensors.Features;

namespace EdgeRuntime.Learning.Evaluation;

/// <summary>
/// The seasonal-mean baseline: each stream's mean of the target by bin of the day or week, fitted on a training
/// slice; the forecast for a horizon is the mean of the bin the target interval falls in (the stream's overall mean
/// where that bin was never seen). With hourly bins over a week this is the "hour-of-week mean"; with 5-minute bins
/// over a day, the "per-sensor time-of-day profile".
/// </summary>
public sealed class SeasonalMeanForecaster : IForecaster
{
    private readonly Dictionary<(int Stream, int Bin), (double Sum, int Count)> _bins = [];
    private readonly Dictionary<int, (double Sum, int Count)> _streams = [];
    private readonly SeasonalProfile _binning;

    /// <summary>Fits the means on <paramref name="training"/>.</summary>
    public SeasonalMeanForecaster(ForecastDataset training, SeasonalPeriod period, int bins)
    {
        ArgumentNullException.ThrowIfNull(training);
        _binning = new SeasonalProfile(new SeasonalProfileSpec { Period = period, Bins = bins, Smooth = 0 });
        Name = $"{(period == SeasonalPeriod.Week ? "week" : "day")} profile mean ({bins} bins)";
        for (var i = 0; i < training.Count; i++)
        {
            var key = (training.Stream(i), _binning.Bin(training.Time(i)));
            var value = training.LastValue(i);
            var bin = _bins.GetValueOrDefault(key);
            _bins[key] = (bin.Sum + value, bin.Count + 1);
            var stream = _streams.GetValueOrDefault(key.Item1);
            _streams[key.Item1] = (stream.Sum + value, stream.Count + 1);
        }

        StreamNames = training.StreamNames;
    }

    /// <inheritdoc />
    public string Name { get; }

    private IReadOnlyList<string> StreamNames { get; }

    /// <inheritdoc />
    public double[] Forecast(ForecastDataset examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (!ReferenceEquals(examples.StreamNames, StreamNames))
        {
            throw new ArgumentException("the examples come from another dataset than the one the means were fitted on", nameof(examples));
        }

        var horizons = examples.Spec.Horizons;
        var forecasts = new double[examples.Count * horizons.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            var stream = examples.Stream(i);
            var length = examples.IntervalLength(i);
            for (var h = 0; h < horizons.Count; h++)
            {
                var bin = _binning.Bin(examples.Time(i) + (horizons[h] * length));
                forecasts[(i * horizons.Count) + h] = _bins.TryGetValue((stream, bin), out var mean) ? mean.Sum / mean.Count
                    : _streams.TryGetValue(stream, out var overall) ? overall.Sum / overall.Count
                    : examples.LastValue(i);
            }
        }

        return forecasts;
    }
}
