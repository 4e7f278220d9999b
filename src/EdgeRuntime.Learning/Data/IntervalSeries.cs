using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Sensors.Samples;
using EdgeRuntime.Sensors.Traffic;

namespace EdgeRuntime.Learning.Data;

/// <summary>
/// Interval samples in time order for offline training and evaluation: from a CSV recording (what
/// <see cref="ReplaySource"/> plays), or from the traffic simulator aggregated exactly as the loop source aggregates
/// (without the GPIO timing, so a simulated week takes seconds).
/// </summary>
public static class IntervalSeries
{
    /// <summary>Every reading of <paramref name="recording"/>, one sample per stream per interval, in time order.</summary>
    public static IEnumerable<IntervalSample> FromRecording(CsvRecording recording, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(recording);
        foreach (var row in recording.Intervals)
        {
            foreach (var (stream, values) in row.Readings)
            {
                yield return new IntervalSample(stream, row.Start, interval, values, 0);
            }
        }
    }

    /// <summary>Loads a recording and plays it as samples.</summary>
    /// <exception cref="InvalidDataException">The file is not a recording of the configured format (one line names file and line).</exception>
    public static IReadOnlyList<IntervalSample> Load(ReplayOptions options, string defaultStream = "recording")
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. FromRecording(CsvRecording.Load(options, defaultStream), options.Interval)];
    }

    /// <summary>
    /// Simulates the lanes of <paramref name="loops"/> under <paramref name="scenario"/> from <paramref name="start"/> for
    /// <paramref name="duration"/>: the simulator's loop transitions feed one <see cref="LaneAggregator"/> per lane,
    /// closed every <see cref="InductionLoopOptions.Interval"/> after its settle time, as <see cref="InductionLoopSource"/> does.
    /// </summary>
    public static IEnumerable<IntervalSample> Simulate(InductionLoopOptions loops, TrafficScenario scenario, DateTimeOffset start, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(loops);
        ArgumentNullException.ThrowIfNull(scenario);
        var simulator = new TrafficSimulator(loops.Lanes, scenario, start);
        var lanes = loops.Lanes.Select(l => new LaneAggregator(l, loops.Debounce, loops.Classes, loops.MaxTravel)).ToList();
        var byPin = new Dictionary<int, (LaneAggregator Lane, bool Lead)>();
        foreach (var lane in lanes)
        {
            byPin[lane.Lane.LeadPin] = (lane, true);
            if (lane.Lane.HasSpeedTrap)
            {
                byPin[lane.Lane.TrailPin] = (lane, false);
            }
        }

        var interval = loops.Interval;
        var count = (long)(duration / interval);
        for (var k = 0L; k < count; k++)
        {
            var from = interval * k;
            var to = from + interval;
            var now = to + loops.Settle;
            foreach (var transition in simulator.TakeUntil(now))
            {
                if (byPin.TryGetValue(transition.Pin, out var loop))
                {
                    loop.Lane.Edge(loop.Lead, transition.High, transition.At);
                }
            }

            foreach (var lane in lanes)
            {
                yield return new IntervalSample(lane.Lane.Name, start + from, interval, lane.Close(from, to, now), 0);
            }
        }
    }
}
