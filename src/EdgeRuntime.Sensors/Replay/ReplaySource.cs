using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Replay;

/// <summary>
/// Plays a <see cref="CsvRecording"/> as interval samples, one per stream per interval, paced by the recording's own
/// timestamps divided by <see cref="ReplayOptions.Speed"/> on <see cref="TimeProvider"/>. A sample is offered when
/// its interval has ended in playback time, as a live detector would report it.
/// </summary>
public sealed class ReplaySource(string name, CsvRecording recording, ReplayOptions options, TimeProvider timeProvider) : ISensorSource
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>Intervals played so far.</summary>
    public long IntervalsPlayed => Interlocked.Read(ref _played);

    private long _played;

    /// <inheritdoc />
    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var intervals = recording.Intervals.Skip(options.SkipIntervals);
        if (options.MaxIntervals > 0)
        {
            intervals = intervals.Take(options.MaxIntervals);
        }

        var list = intervals.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var lap = 0;
        do
        {
            var start = timeProvider.GetTimestamp();
            var first = list[0].Start;
            var lapOffset = (list[^1].Start - first + options.Interval) * lap;
            foreach (var interval in list)
            {
                if (options.Speed > 0)
                {
                    var due = (interval.Start - first + options.Interval) / options.Speed;
                    var wait = due - timeProvider.GetElapsedTime(start);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                var ready = timeProvider.GetTimestamp();
                foreach (var (stream, values) in interval.Readings)
                {
                    sink.Offer(new IntervalSample(stream, interval.Start + lapOffset, options.Interval, values, ready));
                }

                Interlocked.Increment(ref _played);
            }

            lap++;
        }
        while (options.Loop && !cancellationToken.IsCancellationRequested);
    }
}
