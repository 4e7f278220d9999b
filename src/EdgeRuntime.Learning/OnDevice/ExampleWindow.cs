using EdgeRuntime.Learning.Data;
using EdgeRuntime.Sensors.Features;

namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// The newest labelled examples of one model, kept in ring buffers between learning rounds and topped up from the
/// store with only the rows stored since the last round. Reading the whole table into a new dataset every round
/// allocated the training set again and again (about 70 MB for 34,000 examples of 12×13 windows); the collections
/// that followed ran on the learner's low-priority thread while serving threads stood suspended (the device-day
/// benchmark measured 4.6 s of GC pauses in 15 s of back-to-back rounds on a loaded 2-core machine). Now a round
/// allocates only the new rows; the index is kept too. Used from the learner's thread only.
/// </summary>
internal sealed class ExampleWindow
{
    private readonly List<string> _streamNames = [];
    private readonly Dictionary<string, int> _streamIds = new(StringComparer.Ordinal);
    private float[] _windows = [];
    private float[] _targets = [];
    private float[] _weights = [];
    private double[] _lastValues = [];
    private DateTimeOffset[] _times = [];
    private DateTimeOffset[] _targetTimes = [];
    private int[] _streams = [];
    private int[] _index = [];
    private int _slots;
    private int _head;
    private int _count;
    private long _lastId;
    private (int WindowSize, int Horizons, int Capacity, double Mean, double Std) _key;

    /// <summary>Examples held.</summary>
    public int Count => _count;

    /// <summary>
    /// Reads rows stored since the last call and returns the newest <paramref name="capacity"/> examples, oldest
    /// first, as a dataset valid until the next call. A different window size, horizon count, target normalisation or
    /// capacity (a new version reading windows differently) starts over from the store.
    /// </summary>
    public ForecastDataset Refresh(LabelledExampleStore store, string model, FeatureSpec spec, int capacity)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var size = spec.Window * spec.RowWidth;
        var horizons = spec.Horizons.Count;
        var key = (size, horizons, capacity, spec.Mean[spec.TargetColumn], spec.Std[spec.TargetColumn]);
        if (key != _key)
        {
            _key = key;
            _slots = _head = _count = 0;
            _lastId = 0;
            _windows = _targets = _weights = [];
            _lastValues = [];
            _times = _targetTimes = [];
            _streams = [];
            _streamNames.Clear();
            _streamIds.Clear();
        }

        var fresh = new List<LabelledExample>();
        _lastId = store.LoadAfter(model, size, horizons, _lastId, fresh);
        foreach (var example in fresh.Skip(Math.Max(0, fresh.Count - capacity)))
        {
            if (example.Weights.Length == horizons)
            {
                Append(example, spec, size, horizons, capacity);
            }
        }

        if (_index.Length < _count)
        {
            _index = new int[_slots];
        }

        for (var i = 0; i < _count; i++)
        {
            _index[i] = (_head + i) % _slots;
        }

        return ForecastDataset.Over(spec, _windows, _targets, _weights, _lastValues, _times, _targetTimes, _streams, [.. _streamNames], new ArraySegment<int>(_index, 0, _count));
    }

    private void Append(LabelledExample example, FeatureSpec spec, int size, int horizons, int capacity)
    {
        int slot;
        if (_count < capacity)
        {
            if (_count == _slots)
            {
                Grow(Math.Min(capacity, Math.Max(1024, _slots * 2)), size, horizons);
            }

            slot = (_head + _count) % _slots;
            _count++;
        }
        else
        {
            slot = _head;
            _head = (_head + 1) % _slots;
        }

        example.Window.CopyTo(_windows, slot * size);
        example.Targets.CopyTo(_targets, slot * horizons);
        example.Weights.CopyTo(_weights, slot * horizons);
        var target = spec.TargetColumn;
        _lastValues[slot] = (example.Window[((spec.Window - 1) * spec.RowWidth) + target] * spec.Std[target]) + spec.Mean[target];
        _times[slot] = example.IntervalStart;
        _targetTimes[slot] = example.IntervalStart + example.IntervalLength;
        if (!_streamIds.TryGetValue(example.Stream, out var stream))
        {
            stream = _streamNames.Count;
            _streamIds[example.Stream] = stream;
            _streamNames.Add(example.Stream);
        }

        _streams[slot] = stream;
    }

    // Grows to `slots` examples, laying the held ones out oldest first from position 0.
    private void Grow(int slots, int size, int horizons)
    {
        var windows = new float[slots * size];
        var targets = new float[slots * horizons];
        var weights = new float[slots * horizons];
        var lastValues = new double[slots];
        var times = new DateTimeOffset[slots];
        var targetTimes = new DateTimeOffset[slots];
        var streams = new int[slots];
        for (var i = 0; i < _count; i++)
        {
            var from = (_head + i) % _slots;
            _windows.AsSpan(from * size, size).CopyTo(windows.AsSpan(i * size));
            _targets.AsSpan(from * horizons, horizons).CopyTo(targets.AsSpan(i * horizons));
            _weights.AsSpan(from * horizons, horizons).CopyTo(weights.AsSpan(i * horizons));
            lastValues[i] = _lastValues[from];
            times[i] = _times[from];
            targetTimes[i] = _targetTimes[from];
            streams[i] = _streams[from];
        }

        (_windows, _targets, _weights, _lastValues, _times, _targetTimes, _streams) = (windows, targets, weights, lastValues, times, targetTimes, streams);
        _slots = slots;
        _head = 0;
    }
}
