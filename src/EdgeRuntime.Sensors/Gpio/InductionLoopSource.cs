using System.Device.Gpio;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Gpio;

/// <summary>
/// Induction loops on GPIO inputs: one input per loop, high while a vehicle is over it. Edge callbacks from the
/// <see cref="GpioController"/> are stamped with the monotonic clock of <see cref="TimeProvider"/> as they arrive;
/// every interval each lane's aggregates become an <see cref="IntervalSample"/> (stream = lane name). The controller
/// belongs to the caller; the source opens its pins while it runs and closes them when it stops.
/// </summary>
public sealed class InductionLoopSource : ISensorSource
{
    private readonly GpioController _controller;
    private readonly InductionLoopOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, (LaneAggregator Lane, bool Lead)> _pins = [];
    private readonly List<LaneAggregator> _lanes = [];
    private long _startTimestamp;

    /// <summary>Creates the source over <paramref name="controller"/>.</summary>
    public InductionLoopSource(string name, GpioController controller, InductionLoopOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        _controller = controller;
        _options = options;
        _time = timeProvider;
        foreach (var lane in options.Lanes)
        {
            var aggregator = new LaneAggregator(lane, options.Debounce, options.Classes, options.MaxTravel);
            _lanes.Add(aggregator);
            _pins.Add(lane.LeadPin, (aggregator, true));
            if (lane.HasSpeedTrap)
            {
                _pins.Add(lane.TrailPin, (aggregator, false));
            }
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Raw edges received so far.</summary>
    public long EdgesReceived => Interlocked.Read(ref _edges);

    private long _edges;

    /// <inheritdoc />
    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var startUtc = _time.GetUtcNow();
        _startTimestamp = _time.GetTimestamp();
        var opened = new List<int>();
        try
        {
            foreach (var pin in _pins.Keys)
            {
                _controller.OpenPin(pin, PinMode.Input);
                opened.Add(pin);
                _controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
            }

            // Intervals are aligned to the wall clock; the first one starts at the first boundary after start.
            var interval = _options.Interval;
            var firstBoundary = new DateTimeOffset(((startUtc.UtcTicks / interval.Ticks) + 1) * interval.Ticks, TimeSpan.Zero);
            var offset = firstBoundary - startUtc;
            for (var k = 0L; ; k++)
            {
                var start = offset + (interval * k);
                var end = start + interval;
                var closeAt = end + _options.Settle;
                var wait = closeAt - _time.GetElapsedTime(_startTimestamp);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }

                var ready = _time.GetTimestamp();
                List<IntervalSample> samples = [];
                lock (_gate)
                {
                    var now = _time.GetElapsedTime(_startTimestamp, ready);
                    foreach (var lane in _lanes)
                    {
                        samples.Add(new IntervalSample(lane.Lane.Name, startUtc + start, interval, lane.Close(start, end, now), ready));
                    }
                }

                foreach (var sample in samples)
                {
                    sink.Offer(sample);
                }
            }
        }
        finally
        {
            foreach (var pin in opened)
            {
                _controller.UnregisterCallbackForPinValueChangedEvent(pin, OnEdge);
                _controller.ClosePin(pin);
            }
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        var at = _time.GetElapsedTime(_startTimestamp);
        Interlocked.Increment(ref _edges);
        lock (_gate)
        {
            if (_pins.TryGetValue(e.PinNumber, out var loop))
            {
                loop.Lane.Edge(loop.Lead, e.ChangeType == PinEventTypes.Rising, at);
            }
        }
    }
}
