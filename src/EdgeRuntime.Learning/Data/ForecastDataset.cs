using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Learning.Data;

/// <summary>
/// Forecasting examples built from interval samples with the serving <see cref="WindowFeatureBuilder"/>, so training
/// sees exactly what the pipeline will feed: for each sample, the stream's window [Window × RowWidth] (normalised),
/// and for each horizon h of the spec the target metric observed h intervals later in the same stream (normalised),
/// with a weight of 0 where that interval is not in the data. Windows still warming up are left out.
/// Immutable once built; slices share the arrays.
/// </summary>
public sealed class ForecastDataset
{
    private ForecastDataset(FeatureSpec spec, float[] windows, float[] targets, float[] weights, double[] lastValues, DateTimeOffset[] times, DateTimeOffset[] targetTimes, int[] streams, IReadOnlyList<string> streamNames, ArraySegment<int> index)
    {
        Spec = spec;
        Windows = windows;
        Targets = targets;
        Weights = weights;
        LastValues = lastValues;
        Times = times;
        TargetTimesFirst = targetTimes;
        StreamIndex = streams;
        StreamNames = streamNames;
        Index = index;
    }

    /// <summary>The spec the windows follow.</summary>
    public FeatureSpec Spec { get; }

    /// <summary>
    /// A dataset over arrays its caller owns (per example: WindowSize window values, Horizons targets and weights),
    /// <paramref name="index"/> giving the examples' positions in order. Valid while the caller leaves the arrays as
    /// they are; used by the on-device learner, which keeps its examples in ring buffers between rounds.
    /// </summary>
    internal static ForecastDataset Over(FeatureSpec spec, float[] windows, float[] targets, float[] weights, double[] lastValues, DateTimeOffset[] times, DateTimeOffset[] targetTimes, int[] streams, IReadOnlyList<string> streamNames, ArraySegment<int> index) =>
        new(spec, windows, targets, weights, lastValues, times, targetTimes, streams, streamNames, index);

    /// <summary>Examples in this view.</summary>
    public int Count => Index.Count;

    /// <summary>Values per window (Window × RowWidth).</summary>
    public int WindowSize => Spec.Window * Spec.RowWidth;

    /// <summary>Horizons per example.</summary>
    public int Horizons => Spec.Horizons.Count;

    /// <summary>Stream names; <see cref="Stream"/> indexes it.</summary>
    public IReadOnlyList<string> StreamNames { get; }

    internal float[] Windows { get; }

    internal float[] Targets { get; }

    internal float[] Weights { get; }

    internal double[] LastValues { get; }

    internal DateTimeOffset[] Times { get; }

    internal DateTimeOffset[] TargetTimesFirst { get; }

    internal int[] StreamIndex { get; }

    /// <summary>Positions of this view's examples in the shared arrays, in time order (a slice shares its parent's).</summary>
    internal ArraySegment<int> Index { get; }

    /// <summary>The window of example <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> Window(int i) => Windows.AsSpan(Index[i] * WindowSize, WindowSize);

    /// <summary>Normalised targets of example <paramref name="i"/>, one per horizon.</summary>
    public ReadOnlySpan<float> Target(int i) => Targets.AsSpan(Index[i] * Horizons, Horizons);

    /// <summary>Weights of example <paramref name="i"/> (1 where the target was observed and may be used), one per horizon.</summary>
    public ReadOnlySpan<float> Weight(int i) => Weights.AsSpan(Index[i] * Horizons, Horizons);

    /// <summary>The last observed target value of example <paramref name="i"/>, in the metric's unit.</summary>
    public double LastValue(int i) => LastValues[Index[i]];

    /// <summary>The start of the newest interval in example <paramref name="i"/>'s window.</summary>
    public DateTimeOffset Time(int i) => Times[Index[i]];

    /// <summary>The interval length of example <paramref name="i"/>'s stream (one horizon step).</summary>
    public TimeSpan IntervalLength(int i) => TargetTimesFirst[Index[i]] - Times[Index[i]];

    /// <summary>The stream of example <paramref name="i"/>.</summary>
    public int Stream(int i) => StreamIndex[Index[i]];

    /// <summary>
    /// Builds the examples of <paramref name="samples"/> (in time order; streams interleaved as a source offers them).
    /// A sample without the target metric contributes its window but no example.
    /// </summary>
    public static ForecastDataset Build(FeatureSpec spec, IEnumerable<IntervalSample> samples)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(samples);
        var builder = new WindowFeatureBuilder(spec);
        var list = samples as IReadOnlyList<IntervalSample> ?? [.. samples];
        var streamNames = new List<string>();
        var streamIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var observed = new Dictionary<(int Stream, long Ticks), double>();
        foreach (var sample in list)
        {
            var id = StreamId(sample.Stream, streamIds, streamNames);
            if (sample.Values.TryGetValue(spec.Target, out var value) && double.IsFinite(value))
            {
                observed[(id, sample.Time.UtcTicks)] = value;
            }
        }

        var size = spec.Window * spec.RowWidth;
        var horizons = spec.Horizons.Count;
        var windows = new List<float>(list.Count * size);
        var targets = new List<float>(list.Count * horizons);
        var weights = new List<float>(list.Count * horizons);
        var lastValues = new List<double>(list.Count);
        var times = new List<DateTimeOffset>(list.Count);
        var targetTimes = new List<DateTimeOffset>(list.Count);
        var streams = new List<int>(list.Count);
        foreach (var sample in list)
        {
            var window = builder.Add(sample);
            if (window.Warmup || !sample.Values.TryGetValue(spec.Target, out var last) || !double.IsFinite(last))
            {
                continue;
            }

            var id = streamIds[sample.Stream];
            windows.AddRange(window.Values);
            for (var h = 0; h < horizons; h++)
            {
                var at = sample.Time + (spec.Horizons[h] * sample.Length);
                var seen = observed.TryGetValue((id, at.UtcTicks), out var value);
                targets.Add(seen ? builder.Normalise(value) : 0f);
                weights.Add(seen ? 1f : 0f);
            }

            lastValues.Add(last);
            times.Add(sample.Time);
            targetTimes.Add(sample.Time + sample.Length);
            streams.Add(id);
        }

        return new ForecastDataset(spec, [.. windows], [.. targets], [.. weights], [.. lastValues], [.. times], [.. targetTimes], [.. streams], streamNames, Enumerable.Range(0, lastValues.Count).ToArray());
    }

    /// <summary>
    /// The device's own labelled examples as a dataset (windows and normalised targets as recorded; examples whose
    /// window or horizons do not fit <paramref name="spec"/> are left out), in the order given.
    /// </summary>
    public static ForecastDataset FromExamples(FeatureSpec spec, IEnumerable<OnDevice.LabelledExample> examples)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(examples);
        var size = spec.Window * spec.RowWidth;
        var horizons = spec.Horizons.Count;
        var target = spec.TargetColumn;
        var streamNames = new List<string>();
        var streamIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var usable = examples.Where(e => e.Window.Length == size && e.Targets.Length == horizons && e.Weights.Length == horizons).ToList();

        // Sized once: a learner builds this from tens of thousands of examples every round, and growing lists would
        // copy the large arrays several times over (each copy a large-object-heap allocation the collector must sweep).
        var windows = new float[usable.Count * size];
        var targets = new float[usable.Count * horizons];
        var weights = new float[usable.Count * horizons];
        var lastValues = new double[usable.Count];
        var times = new DateTimeOffset[usable.Count];
        var targetTimes = new DateTimeOffset[usable.Count];
        var streams = new int[usable.Count];
        for (var i = 0; i < usable.Count; i++)
        {
            var e = usable[i];
            e.Window.CopyTo(windows, i * size);
            e.Targets.CopyTo(targets, i * horizons);
            e.Weights.CopyTo(weights, i * horizons);
            lastValues[i] = (e.Window[((spec.Window - 1) * spec.RowWidth) + target] * spec.Std[target]) + spec.Mean[target];
            times[i] = e.IntervalStart;
            targetTimes[i] = e.IntervalStart + e.IntervalLength;
            streams[i] = StreamId(e.Stream, streamIds, streamNames);
        }

        return new ForecastDataset(spec, windows, targets, weights, lastValues, times, targetTimes, streams, streamNames, Enumerable.Range(0, usable.Count).ToArray());
    }

    /// <summary>The examples at positions [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of this view.</summary>
    public ForecastDataset Range(int start, int count) =>
        new(Spec, Windows, Targets, Weights, LastValues, Times, TargetTimesFirst, StreamIndex, StreamNames, Index.Slice(start, count));

    /// <summary>The examples of stream <paramref name="stream"/> (an index into <see cref="StreamNames"/>) in this view, in time order — one device's data when each stream is a device.</summary>
    public ForecastDataset OfStream(int stream) =>
        new(Spec, Windows, Targets, Weights, LastValues, Times, TargetTimesFirst, StreamIndex, StreamNames, Index.Where(i => StreamIndex[i] == stream).ToArray());

    /// <summary>The examples of the streams <paramref name="streams"/> in this view, in time order (a group of devices' data pooled).</summary>
    public ForecastDataset OfStreams(IReadOnlySet<int> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        return new(Spec, Windows, Targets, Weights, LastValues, Times, TargetTimesFirst, StreamIndex, StreamNames, Index.Where(i => streams.Contains(StreamIndex[i])).ToArray());
    }

    /// <summary>
    /// The examples whose window ends in [<paramref name="from"/>, <paramref name="to"/>), with every target at or
    /// after <paramref name="to"/> weighted 0 — so a training slice never learns from what lies past its end.
    /// </summary>
    public ForecastDataset Slice(DateTimeOffset from, DateTimeOffset to)
    {
        var index = Index.Where(i => Times[i] >= from && Times[i] < to).ToArray();
        var weights = Weights;
        var needsMask = index.Any(i => Spec.Horizons.Any(h => TargetTime(i, h) >= to));
        if (needsMask)
        {
            weights = (float[])Weights.Clone();
            foreach (var i in index)
            {
                for (var h = 0; h < Horizons; h++)
                {
                    if (TargetTime(i, Spec.Horizons[h]) >= to)
                    {
                        weights[(i * Horizons) + h] = 0;
                    }
                }
            }
        }

        return new ForecastDataset(Spec, Windows, Targets, weights, LastValues, Times, TargetTimesFirst, StreamIndex, StreamNames, index);
    }

    /// <summary>The earliest and latest window end times.</summary>
    public (DateTimeOffset First, DateTimeOffset Last) Span => Count == 0 ? default : (Times[Index[0]], Times[Index[^1]]);

    /// <summary>The time at which the chronological fraction <paramref name="fraction"/> of this view's distinct interval times lies.</summary>
    public DateTimeOffset TimeAtFraction(double fraction)
    {
        var distinct = Index.Select(i => Times[i]).Distinct().Order().ToList();
        if (distinct.Count == 0)
        {
            throw new InvalidOperationException("the dataset is empty");
        }

        return distinct[Math.Clamp((int)Math.Round(fraction * distinct.Count), 0, distinct.Count - 1)];
    }

    // Target time of horizon h for example i: one interval length after the window's end is horizon 1.
    private DateTimeOffset TargetTime(int i, int horizon) => Times[i] + ((TargetTimesFirst[i] - Times[i]) * horizon);

    private static int StreamId(string stream, Dictionary<string, int> ids, List<string> names)
    {
        if (!ids.TryGetValue(stream, out var id))
        {
            id = names.Count;
            ids[stream] = id;
            names.Add(stream);
        }

        return id;
    }
}
